import type { Audit, Item, Run } from "@/lib/db/queries";
import { getAuditById, getLatestRun, hasReportedRun, listAudits, listItems } from "@/lib/db/queries";
import { countAudit, type AuditCounts } from "@/lib/workflow/audit-counts";
import { BULK_CHASE_ACTIONS, type BulkChaseAction } from "@/lib/workflow/chase";
import type { AuditSchedule } from "@/lib/workflow/fiscal";
import { auditSchedule } from "@/lib/workflow/fiscal";
import { deriveStatus } from "@/lib/workflow/rules";

function isBulkChaseAction(action: string): action is BulkChaseAction {
  return (BULK_CHASE_ACTIONS as readonly string[]).includes(action);
}
import type { AppContext } from "./context";
import { showRun } from "./runs";
import type { WorkflowSettings } from "@/lib/workflow/types";
import { workflowOf } from "./workflow-settings";

/**
 * An audit's state for the dashboard. Its counts (AuditCounts) are defined once, in countAudit: every
 * number a page shows of the audit is one of them.
 */
export interface AuditSummary extends AuditCounts {
  audit: Audit;
  latestRun: Run | null;
  /**
   * Findings each bulk chase step would act on now (the findings page's buttons): a person's findings whose
   * next action it is and is due (a ping at once); never one the schedule's owner fixes.
   */
  bulkDue: Record<BulkChaseAction, number>;
  /** Findings about schedules themselves (no person), e.g. a configured schedule that does not exist. */
  configurationItems: Item[];
  /** Whether sign-off needs no override: nothing still to address (`toAddress`). */
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
 * An audit's counts (countAudit), who is due a chase step, and whether sign-off is possible. One read of the
 * audit's items serves every count (people are grouped here rather than through the findings table's rows,
 * which also read the event log for the last ping).
 */
export async function summarizeAudit(ctx: AppContext, auditId: string): Promise<AuditSummary> {
  const [audit, latestRun, items] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestRun(ctx.db, auditId),
    listItems(ctx.db, auditId),
  ]);
  // Only when the latest run did not report and nothing was found: was an earlier run all clear?
  const judged = isReported(latestRun) || items.length > 0 || (await hasReportedRun(ctx.db, auditId));
  return summarizeItems(ctx, audit, latestRun, items, await workflowOf(ctx), judged);
}

function isReported(run: Run | null): boolean {
  return run?.status === "complete" || run?.status === "incomplete";
}

/**
 * An audit's counts from one read of its items, as of the context's clock. `judged`: some run of the audit
 * reported (by default: the latest did, or it found something).
 */
export function summarizeItems(
  ctx: AppContext,
  audit: Audit,
  latestRun: Run | null,
  items: Item[],
  workflow: WorkflowSettings,
  judged = isReported(latestRun) || items.length > 0,
): AuditSummary {
  const now = ctx.clock.now();
  const counts = countAudit({
    items,
    judged,
    incompleteRunId: latestRun?.status === "incomplete" ? latestRun.id : null,
    signedOffAt: audit.signedOffAt,
    now,
    workflow,
  });
  const bulkDue = Object.fromEntries(BULK_CHASE_ACTIONS.map((a) => [a, 0])) as Record<
    BulkChaseAction,
    number
  >;
  for (const item of items) {
    if (item.personKey === null) continue;
    const derived = deriveStatus(item, now, workflow);
    const next = derived.nextAction;
    if (next !== null && isBulkChaseAction(next) && (derived.dueAt === null || derived.overdue)) {
      bulkDue[next] += 1;
    }
  }
  return {
    ...counts,
    audit,
    latestRun: latestRun && showRun(ctx, latestRun),
    bulkDue,
    configurationItems: items.filter((i) => i.personKey === null),
    signOff: counts.toAddress === 0 ? { ok: true } : { ok: false, unaddressed: counts.toAddress },
  };
}
