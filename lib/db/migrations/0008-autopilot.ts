import type { Kysely } from "kysely";

/**
 * Autopilot per audit: whether the server takes the chase's due steps itself (escalations, the Slack DM).
 * 0/1, off for every audit there is; who turned it on or off and when is in the event log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("audits")
    .addColumn("autopilot", "integer", (col) => col.notNull().defaultTo(0))
    .execute();
}
