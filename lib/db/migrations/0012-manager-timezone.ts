import type { Kysely } from "kysely";

/**
 * The person's manager's time zone and region on their items (the roster's `tzdata_timezone` and `region`
 * of the manager `reports_to` names, at the latest run), so an escalation reaches the manager in their
 * working hours. Nullable text; existing items wait for the organisation's working hours until the next
 * run fills them, as a manager the roster does not hold does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("items").addColumn("manager_timezone", "text").execute();
  await db.schema.alterTable("items").addColumn("manager_region", "text").execute();
}
