/** Autopilot paused for one person of an audit: autopilot takes none of their steps while it stands. */
import { lockAudit } from "@/lib/db/queries/locks";
import { auditSignedOffMeanwhile, insertEvents, type Db } from "@/lib/db/queries/shared";

/**
 * Pauses (or resumes) autopilot for the person and logs who did (`set_autopilot` with `{ on, personKey }`),
 * in one transaction; pausing what is paused, or resuming what is not, changes and logs nothing.
 * Refused with `conflict:audit` once the audit is signed off.
 */
export async function setAutopilotPaused(
  db: Db,
  input: {
    auditId: string;
    personKey: string;
    paused: boolean;
    actor: string;
    actorKey: string | null;
    now: Date;
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if ((await lockAudit(trx, input.auditId, "update")) === "signed_off") throw auditSignedOffMeanwhile();
    const changed = input.paused
      ? (
          await trx
            .insertInto("autopilot_pauses")
            .values({
              audit_id: input.auditId,
              person_key: input.personKey,
              paused_by: input.actor,
              paused_by_key: input.actorKey,
              paused_at: input.now.toISOString(),
            })
            .onConflict((oc) => oc.columns(["audit_id", "person_key"]).doNothing())
            .executeTakeFirst()
        ).numInsertedOrUpdatedRows
      : (
          await trx
            .deleteFrom("autopilot_pauses")
            .where("audit_id", "=", input.auditId)
            .where("person_key", "=", input.personKey)
            .executeTakeFirst()
        ).numDeletedRows;
    if (!changed) return false;
    await insertEvents(trx, [
      {
        auditId: input.auditId,
        personKey: input.personKey,
        actor: input.actor,
        actorKey: input.actorKey,
        at: input.now,
        action: "set_autopilot",
        detail: { on: !input.paused, personKey: input.personKey },
      },
    ]);
    return true;
  });
}

/** The person keys autopilot is paused for in the audit. */
export async function listAutopilotPauses(db: Db, auditId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("autopilot_pauses")
    .select("person_key")
    .where("audit_id", "=", auditId)
    .execute();
  return new Set(rows.map((r) => r.person_key));
}
