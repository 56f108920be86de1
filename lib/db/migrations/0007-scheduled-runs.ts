import type { Kysely } from "kysely";

/**
 * Scheduled re-runs: when an instance last claimed the audit's scheduled re-run, so that of several app
 * instances ticking at once exactly one starts it per interval. A nullable text column; existing audits
 * start unclaimed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audits").addColumn("rerun_claimed_at", "text").execute();
}
