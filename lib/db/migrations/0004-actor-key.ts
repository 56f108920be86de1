import type { Kysely } from "kysely";

/**
 * Who acted, by person key: a display name is no identity (two people may share one), so each event and
 * the sign-off also keep the roster person key of whoever acted. Nullable text columns (one ALTER each:
 * SQLite adds one column per statement); rows from before, and what no signed-in person did (a run, a
 * reply read from GitLab), have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("events").addColumn("actor_key", "text").execute();
  await db.schema.alterTable("audits").addColumn("signed_off_by_key", "text").execute();
}
