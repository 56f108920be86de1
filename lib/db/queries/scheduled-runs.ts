/** The claim on an audit's scheduled re-run, so that of several instances ticking at once one starts it. */
import type { Db } from "@/lib/db/queries/shared";

/**
 * Claims the audit's scheduled re-run at `now` (the app clock) for this interval: true for exactly one of
 * several instances asking at once, false while a claim younger than `everyMs` stands. A claim dated after
 * `now` was made before the demo clock was moved back and does not hold.
 */
export async function claimScheduledRun(
  db: Db,
  input: { auditId: string; now: Date; everyMs: number },
): Promise<boolean> {
  const now = input.now.toISOString();
  const intervalStart = new Date(input.now.getTime() - input.everyMs).toISOString();
  const result = await db
    .updateTable("audits")
    .set({ rerun_claimed_at: now })
    .where("id", "=", input.auditId)
    .where((eb) =>
      eb.or([
        eb("rerun_claimed_at", "is", null),
        eb("rerun_claimed_at", "<=", intervalStart),
        eb("rerun_claimed_at", ">", now),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
