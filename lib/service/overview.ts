import type { FindingCode } from "@/lib/audit/types";
import { FINDING_CODES } from "@/lib/audit/types";
import type { Audit, Item, Run } from "@/lib/db/queries";
import { getAuditById, getLatestRun, listAudits, listItems } from "@/lib/db/queries";
import { BULK_CHASE_ACTIONS, type BulkChaseAction } from "@/lib/workflow/chase";
import type { AuditSchedule } from "@/lib/workflow/fiscal";
import { auditSchedule } from "@/lib/workflow/fiscal";
import { canSignOff, deriveStatus, summarizePerson } from "@/lib/workflow/rules";
import type { ItemStatus } from "@/lib/workflow/types";
import { ITEM_STATUSES } from "@/lib/workflow/types";

function isBulkChaseAction(action: string): action is BulkChaseAction {
  return (BULK_CHASE_ACTIONS as readonly string[]).includes(action);
}
import type { AppContext } from "./context";
import { showRun } from "./runs";
import type { WorkflowSettings } from "@/lib/workflow/types";
import { workflowOf } from "./workflow-settings";

export interface AuditSummary {
  audit: Audit;
  latestRun: Run | null;
  byStatus: Record<ItemStatus, number>;
  byCode: Record<FindingCode, number>;
  people: number;
  overduePeople: number;
  /**
   * Findings each bulk chase step would act on now (the findings page's buttons): a person's findings whose
   * next action it is and is due (a ping at once); never one the schedule's owner fixes.
   */
  bulkDue: Record<BulkChaseAction, number>;
  /** Findings about schedules themselves (no person), e.g. a configured schedule that does not exist. */
  configurationItems: Item[];
  signOff: { ok: true } | { ok: false; unaddressed: number };
}

/** The audits and which one is due, without any audit's counts: what every dashboard page needs. */
export interface AuditIndex {
  now: string;
  schedule: AuditSchedule;
  audits: Audit[];
  /** The audit of the current period, else the newest one still open. */
  current: Audit | null;
}

export interface Overview extends Omit<AuditIndex, "current"> {
  /** The audit of the current period, else the newest one still open. */
  current: AuditSummary | null;
}

/** Which audit is due and the history; two small reads, cheap enough for every page's navigation. */
export async function getAuditIndex(ctx: AppContext): Promise<AuditIndex> {
  const now = ctx.clock.now();
  const audits = await listAudits(ctx.db);
  const schedule = auditSchedule(
    now,
    audits.map((a) => a.name),
    audits.filter((a) => a.status === "signed_off").map((a) => a.name),
  );
  const current =
    audits.find((a) => a.name === schedule.current.name) ??
    audits.find((a) => a.status !== "signed_off") ??
    null;
  return { now: now.toISOString(), schedule, audits, current };
}

/** What the overview page shows: which audit is due, its state, and the history. */
export async function getOverview(ctx: AppContext): Promise<Overview> {
  const index = await getAuditIndex(ctx);
  return { ...index, current: index.current ? await summarizeAudit(ctx, index.current.id) : null };
}

/**
 * Counts by status and by finding code, who is overdue, and whether sign-off is possible. One read of the
 * audit's items serves every count (people are grouped here rather than through the findings table's
 * rows, which also read the event log for the last ping).
 */
export async function summarizeAudit(ctx: AppContext, auditId: string): Promise<AuditSummary> {
  const [audit, latestRun, items] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestRun(ctx.db, auditId),
    listItems(ctx.db, auditId),
  ]);
  return summarizeItems(ctx, audit, latestRun, items, await workflowOf(ctx));
}

/** An audit's counts from one read of its items, as of the context's clock. */
export function summarizeItems(
  ctx: AppContext,
  audit: Audit,
  latestRun: Run | null,
  items: Item[],
  workflow: WorkflowSettings,
): AuditSummary {
  const now = ctx.clock.now();
  const byStatus = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  const byCode = Object.fromEntries(FINDING_CODES.map((c) => [c, 0])) as Record<FindingCode, number>;
  const bulkDue = Object.fromEntries(BULK_CHASE_ACTIONS.map((a) => [a, 0])) as Record<
    BulkChaseAction,
    number
  >;
  const byPerson = new Map<string, Item[]>();
  for (const item of items) {
    const derived = deriveStatus(item, now, workflow);
    byStatus[derived.status] += 1;
    byCode[item.code] += 1;
    if (item.personKey === null) continue;
    const next = derived.nextAction;
    if (next !== null && isBulkChaseAction(next) && (derived.dueAt === null || derived.overdue)) {
      bulkDue[next] += 1;
    }
    const list = byPerson.get(item.personKey);
    if (list) list.push(item);
    else byPerson.set(item.personKey, [item]);
  }
  let overduePeople = 0;
  for (const personItems of byPerson.values()) {
    if (summarizePerson(personItems, now, workflow).overdue) overduePeople += 1;
  }
  return {
    audit,
    latestRun: latestRun && showRun(ctx, latestRun),
    byStatus,
    byCode,
    people: byPerson.size,
    overduePeople,
    bulkDue,
    configurationItems: items.filter((i) => i.personKey === null),
    signOff: canSignOff(items, now),
  };
}
