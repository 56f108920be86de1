/** Stamps that change whenever an audit's findings data does, for read models cached by version. */
import type { Db } from "@/lib/db/queries/shared";

/**
 * A stamp of everything an audit's items and their chase history are made of: it changes with every
 * change to them, whichever app instance makes it. Items change only in a transaction that also appends
 * to the event log (an action, a reply: `applyItemStates`, `recordItemReplies`) or that finishes a run
 * (`finishRun`), so the stamp is the count and the newest id of the audit's events, with the count of its
 * finished runs. Counts rather than only the newest id: on Postgres two transactions may commit in the
 * other order than their ids were drawn, and the one committing last would not move the newest id; it
 * always moves the count, as the log is append-only. Read it before the data it stamps: data read after
 * is at least as new, so a model is never filed under a stamp newer than itself.
 */
export async function getAuditDataVersion(db: Db, auditId: string): Promise<string> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom("events")
        .select((e) => e.fn.countAll().as("n"))
        .where("audit_id", "=", auditId)
        .as("events"),
      eb
        .selectFrom("events")
        .select((e) => e.fn.max("id").as("n"))
        .where("audit_id", "=", auditId)
        .as("lastEvent"),
      eb
        .selectFrom("runs")
        .select((e) => e.fn.count("finished_at").as("n"))
        .where("audit_id", "=", auditId)
        .as("finishedRuns"),
    ])
    .executeTakeFirstOrThrow();
  // Postgres answers counts as text (bigint); SQLite as numbers.
  return [row.events, row.lastEvent, row.finishedRuns].map((n) => String(n ?? 0)).join(":");
}
