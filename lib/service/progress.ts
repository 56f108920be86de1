/**
 * The overview's pictures over time: how the current audit burns down, and how audits compare with the one
 * before. Each is a grouped read (a row per day, a row per finding group), never the whole event log, and
 * kept per version of the audits' data (`getAuditDataVersion`): at 10,000 people the two reads took 8 ms of
 * every overview, for numbers that change only with an action, a reply or a run.
 */
import type { Audit, DailyItemChanges, Db, FindingGroup } from "@/lib/db/queries";
import {
  getAuditById,
  getAuditDataVersion,
  listDailyItemChanges,
  listEndedWaiverDays,
  listFindingGroups,
} from "@/lib/db/queries";
import { burnDownOf, trendOf, type ProgressDay, type TrendEntry } from "@/lib/workflow/progress";
import type { AppContext } from "./context";

export interface AuditProgress {
  /** From the day the audit was opened to today (or its sign-off); empty before its first run. */
  days: ProgressDay[];
  /** The audit's due day, `YYYY-MM-DD`. */
  dueOn: string;
}

/**
 * The burn-down of an audit: each day from its opening to today (the sign-off day once signed off), with
 * the findings found, addressed and still to address at the day's end. Its last day's `remaining` is the
 * overview's "Still to address". Given the audit as read already, it is not read again.
 */
export async function getAuditProgress(ctx: AppContext, auditOrId: Audit | string): Promise<AuditProgress> {
  const audit = typeof auditOrId === "string" ? await getAuditById(ctx.db, auditOrId) : auditOrId;
  const auditId = audit.id;
  const asOf = audit.signedOffAt ?? ctx.clock.now().toISOString();
  const [changes, endedWaivers] = await Promise.all([
    keptPerVersion(DAILY_CHANGES, ctx.db, auditId, await getAuditDataVersion(ctx.db, auditId), () =>
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
 * first). `audits` as listed for the page (any order).
 */
export async function getAuditTrend(ctx: AppContext, audits: readonly Audit[]): Promise<TrendEntry[]> {
  const ordered = [...audits].sort((a, b) => a.fiscalYear - b.fiscalYear || a.quarter - b.quarter);
  if (ordered.length === 0) return [];
  const versions = await Promise.all(
    ordered.map(async (audit) => `${audit.id}@${await getAuditDataVersion(ctx.db, audit.id)}`),
  );
  const groups = await keptPerVersion(FINDING_GROUPS, ctx.db, "all", versions.join(" "), () =>
    listFindingGroups(ctx.db),
  );
  return trendOf(ordered, groups);
}

/** Per database handle (one per app instance; tests open several), per key: the newest read and its version. */
type Kept<T> = WeakMap<Db, Map<string, { version: string; value: Promise<T> }>>;

const DAILY_CHANGES: Kept<DailyItemChanges[]> = new WeakMap();
const FINDING_GROUPS: Kept<FindingGroup[]> = new WeakMap();

/**
 * `read()` once per `version` of the data under `key`: the one kept while the version is the one it was
 * read at, else read again (and kept in its place). The version is read before the data, so a read is never
 * kept under a version newer than itself. A failed read is not kept.
 */
function keptPerVersion<T>(
  kept: Kept<T>,
  db: Db,
  key: string,
  version: string,
  read: () => Promise<T>,
): Promise<T> {
  let byKey = kept.get(db);
  if (!byKey) {
    byKey = new Map();
    kept.set(db, byKey);
  }
  const entry = byKey.get(key);
  if (entry?.version === version) return entry.value;
  const fresh = { version, value: read() };
  byKey.set(key, fresh);
  fresh.value.catch(() => {
    if (byKey.get(key) === fresh) byKey.delete(key);
  });
  return fresh.value;
}
