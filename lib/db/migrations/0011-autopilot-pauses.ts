import type { Kysely } from "kysely";

/**
 * Autopilot paused for one person of an audit: while a row stands, autopilot takes none of their steps
 * (a person chased by hand, on leave, or in a conversation the timers do not see). Who paused it and when
 * are kept here and in the event log; resuming deletes the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("autopilot_pauses")
    .addColumn("audit_id", "text", (col) => col.notNull().references("audits.id"))
    .addColumn("person_key", "text", (col) => col.notNull())
    .addColumn("paused_by", "text", (col) => col.notNull())
    .addColumn("paused_by_key", "text")
    .addColumn("paused_at", "text", (col) => col.notNull())
    .addPrimaryKeyConstraint("autopilot_pauses_pk", ["audit_id", "person_key"])
    .execute();
}
