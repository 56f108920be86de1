import type { Kysely } from "kysely";

/**
 * The claim on creating an audit's GitLab issue: which export holds it and when it last renewed it, so
 * that of several app instances exporting a new audit at once only one creates the issue. Two nullable
 * text columns (one ALTER each: SQLite adds one column per statement); existing audits start unclaimed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audits").addColumn("issue_claim_id", "text").execute();
  await db.schema.alterTable("audits").addColumn("issue_claimed_at", "text").execute();
}
