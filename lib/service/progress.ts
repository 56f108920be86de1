/**
 * The overview's pictures over time: how the current audit burns down, and how audits compare with the one
 * before. Each is a grouped read (a row per day, a row per finding group), never the whole event log, and
 * kept per version of the audits' data (`getAuditDataVersion`): at 10,000 people the two reads took 8 ms of
 * every overview, for numbers that change only with an action, a reply or a run.
 */
import type { Audit, DailyItemChanges, FindingGroup } from "@/lib/db/queries";
import { getAuditById, listDailyItemChanges, listEndedWaiverDays, listFindingGroups } from "@/lib/db/queries";
import { burnDownOf, trendOf, type ProgressDay, type TrendEntry } from "@/lib/workflow/progress";
import type { AppContext } from "./context";
import { keptPerVersion, versionFromDatabase, type KeptPerVersion, type VersionOf } from "./kept-per-version";

export interface AuditProgress {
  /** From the day the audit was opened to today (or its sign-off); empty before its first run. */
  days: ProgressDay[];
  /** The audit's due day, `YYYY-MM-DD`. */
  dueOn: string;
}

/**
 * The burn-down of an audit: each day from its opening to today (the sign-off day once signed off), with
 * the findings found, addressed and still to address at the day's end. Its last day's `remaining` is the
 * overview's "Still to address". Given the audit as read already, it is not read again. `versionOf`: how
 * the audit's data version is read (a page's one read per request; by default, here).
 */
export async function getAuditProgress(
  ctx: AppContext,
  auditOrId: Audit | string,
  versionOf: VersionOf = versionFromDatabase(ctx.db),
): Promise<AuditProgress> {
  const audit = typeof auditOrId === "string" ? await getAuditById(ctx.db, auditOrId) : auditOrId;
  const auditId = audit.id;
  const asOf = audit.signedOffAt ?? ctx.clock.now().toISOString();
  const [changes, endedWaivers] = await Promise.all([
    keptPerVersion(DAILY_CHANGES, ctx.db, auditId, await versionOf(auditId), () =>
      listDailyItemChanges(ctx.db, auditId),
    ),
    // Waivers end with the clock, not with a change of data: read each time (a small grouped read).
    listEndedWaiverDays(ctx.db, auditId, asOf),
  ]);
  if (changes.length === 0) return { days: [], dueOn: audit.dueOn };
  return {
    days: burnDownOf(changes, endedWaivers, audit.createdAt.slice(0, 10), asOf.slice(0, 10)),
    dueOn: audit.dueOn,
  };
}

/**
 * Every audit's findings by code, split into new, recurring and fixed against the audit before it (oldest
 * first). `audits` as listed for the page (any order); `versionOf` as for `getAuditProgress`.
 */
export async function getAuditTrend(
  ctx: AppContext,
  audits: readonly Audit[],
  versionOf: VersionOf = versionFromDatabase(ctx.db),
): Promise<TrendEntry[]> {
  const ordered = [...audits].sort((a, b) => a.fiscalYear - b.fiscalYear || a.quarter - b.quarter);
  if (ordered.length === 0) return [];
  const versions = await Promise.all(
    ordered.map(async (audit) => `${audit.id}@${await versionOf(audit.id)}`),
  );
  const groups = await keptPerVersion(FINDING_GROUPS, ctx.db, "all", versions.join(" "), () =>
    listFindingGroups(ctx.db),
  );
  return trendOf(ordered, groups);
}

const DAILY_CHANGES: KeptPerVersion<DailyItemChanges[]> = new WeakMap();
const FINDING_GROUPS: KeptPerVersion<FindingGroup[]> = new WeakMap();
