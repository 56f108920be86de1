/** The claim on an audit's scheduled re-run, so that of several instances ticking at once one starts it. */
import { claimIsStale, type Db } from "@/lib/db/queries/shared";

/**
 * Claims the audit's scheduled re-run at `now` (the app clock) for this interval: true for exactly one of
 * several instances asking at once, false while a claim younger than `everyMs` stands (a claim as far
 * ahead of `now` was made before the demo clock was moved back, and does not hold either).
 */
export async function claimScheduledRun(
  db: Db,
  input: { auditId: string; now: Date; everyMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable("audits")
    .set({ rerun_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where(claimIsStale("rerun_claimed_at", input.now, input.everyMs))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
