import type { Kysely } from "kysely";

/**
 * The person's time zone on their items (the roster's `tzdata_timezone` at the latest run), so the chase's
 * timers count on their working days. Nullable text; existing items count in the default zone until the
 * next run fills it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("items").addColumn("person_timezone", "text").execute();
}
