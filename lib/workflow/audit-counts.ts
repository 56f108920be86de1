/**
 * The overview's numbers, each defined once: what the headline stats, the status and code lists, the
 * progress bar and the charts all read, so no two of them can disagree. Pure: the clock is passed in.
 */
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";
import type { AuditSchedule } from "./fiscal";
import { deriveStatus, isAddressed, summarizePerson } from "./rules";
import { ITEM_STATUSES, type ItemStatus, type ItemWorkflowFields, type WorkflowSettings } from "./types";

/**
 * Where the audit stands for its counts. `not_run`: no run has judged PagerDuty yet (none, the first still
 * running, or only failed ones), so there is nothing to count; `open`: judged and still being worked on;
 * `signed_off`: the record, counted as it stood at the sign-off.
 */
export type AuditPhase = "not_run" | "open" | "signed_off";

/** The part of a stored item the counts read. */
export interface CountedItem extends ItemWorkflowFields {
  code: FindingCode;
  /** Null for a finding about a schedule itself (no person). */
  personKey: string | null;
  managerName: string | null;
  /** The run that last found it. */
  lastSeenRunId?: string;
}

export interface AuditCountsInput {
  items: readonly CountedItem[];
  /** Some run of the audit finished with a report (complete or incomplete): its findings are in `items`. */
  judged: boolean;
  /**
   * The latest run, when it ended incomplete: it judged only what it could read, so findings it did not
   * see keep their state unchecked (`unchecked`). Null otherwise.
   */
  incompleteRunId?: string | null;
  /** When the audit was signed off (ISO 8601 UTC); null while it is not. */
  signedOffAt: string | null;
  now: Date;
  workflow: WorkflowSettings;
}

/** People overdue under one manager (`manager` null: the roster names none). */
export interface ManagerOverdue {
  manager: string | null;
  people: number;
}

export interface AuditCounts {
  phase: AuditPhase;
  /** The moment the counts are taken at: `now`, or the sign-off for a signed-off audit. ISO 8601 UTC. */
  asOf: string;
  /** Every finding the audit recorded, those a re-run found fixed included. */
  found: number;
  /**
   * Findings still present in PagerDuty: found less those a re-run found fixed. After a complete run, the
   * number of findings that run reported.
   */
  present: number;
  /**
   * Of `present`, those the latest run did not see because it was incomplete (not judged, not fixed): why
   * its "N findings" is lower than `present`. Zero after a complete run.
   */
  unchecked: number;
  /** Found fixed by a re-run. */
  fixed: number;
  /** Marked intentional. */
  intentional: number;
  /** Waived, the waiver still holding at `asOf`. */
  waived: number;
  /** Needing nothing more for sign-off: fixed + intentional + waived. */
  addressed: number;
  /** Still to address (found − addressed); at sign-off, those the sign-off overrode. */
  toAddress: number;
  /** People with a finding still present. */
  people: number;
  /** People with a chase step due; none once the audit is signed off (nobody is chased any more). */
  overduePeople: number;
  /** The same people, by their manager (as the findings page groups a person: their first item's manager). */
  overdueByManager: ManagerOverdue[];
  /** Findings by status at `asOf`, every status present (zero included); sums to `found`. */
  byStatus: Record<ItemStatus, number>;
  /** Findings still present, by code, every code present (zero included); sums to `present`. */
  byCode: Record<FindingCode, number>;
}

/** Zero for each of `keys`. */
function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/**
 * Counts an audit's items at `now` (or at its sign-off). Before any run judged it, every count is zero and
 * the phase says why, so a page shows "not run yet" rather than a zero that reads as "all clear". A
 * signed-off audit is counted at `signedOffAt`: a waiver ending later does not reopen the record, and
 * nobody is overdue.
 */
export function countAudit(input: AuditCountsInput): AuditCounts {
  const phase: AuditPhase =
    input.signedOffAt !== null ? "signed_off" : input.judged || input.items.length > 0 ? "open" : "not_run";
  const at = input.signedOffAt !== null ? new Date(input.signedOffAt) : input.now;
  const byStatus = zeros(ITEM_STATUSES);
  const byCode = zeros(FINDING_CODES);
  let fixed = 0;
  let intentional = 0;
  let waived = 0;
  let unchecked = 0;
  const byPerson = new Map<string, CountedItem[]>();
  const present = new Set<string>();
  for (const item of input.items) {
    byStatus[deriveStatus(item, at, input.workflow).status] += 1;
    if (item.state === "fixed") fixed += 1;
    else {
      byCode[item.code] += 1;
      if (input.incompleteRunId && item.lastSeenRunId !== input.incompleteRunId) unchecked += 1;
    }
    if (item.state === "intentional") intentional += 1;
    if (item.state === "waived" && isAddressed(item, at)) waived += 1;
    if (item.personKey === null) continue;
    if (item.state !== "fixed") present.add(item.personKey);
    const list = byPerson.get(item.personKey);
    if (list) list.push(item);
    else byPerson.set(item.personKey, [item]);
  }

  const overdue = new Map<string | null, number>();
  if (phase === "open") {
    for (const personItems of byPerson.values()) {
      if (!summarizePerson(personItems, at, input.workflow).overdue) continue;
      const manager = personItems[0]?.managerName ?? null;
      overdue.set(manager, (overdue.get(manager) ?? 0) + 1);
    }
  }
  const overdueByManager = [...overdue]
    .map(([manager, people]) => ({ manager, people }))
    .sort((a, b) => b.people - a.people || compareManagers(a.manager, b.manager));

  const found = input.items.length;
  const addressed = fixed + intentional + waived;
  return {
    phase,
    asOf: at.toISOString(),
    found,
    present: found - fixed,
    unchecked,
    fixed,
    intentional,
    waived,
    addressed,
    toAddress: found - addressed,
    people: present.size,
    overduePeople: overdueByManager.reduce((sum, entry) => sum + entry.people, 0),
    overdueByManager,
    byStatus,
    byCode,
  };
}

/** By name; "no manager" last. */
function compareManagers(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}

/**
 * The due card's state of the current period's audit: `not_opened`; `open` (opened, due day not over);
 * `overdue` (due day over, not signed off); `signed_off`. `auditStatus` is that audit's status, or null
 * when it does not exist.
 */
export type DueState = "not_opened" | "open" | "overdue" | "signed_off";

export function dueStateOf(
  schedule: Pick<AuditSchedule, "exists" | "overdue">,
  auditStatus: string | null,
): DueState {
  if (auditStatus === "signed_off") return "signed_off";
  if (schedule.overdue) return "overdue";
  return schedule.exists ? "open" : "not_opened";
}
