import type { Kysely } from "kysely";

/**
 * The claim on sending an audit back: which send-back holds it and since when, so that of two reviewers
 * sending back at once only one posts on the audit issue. Two nullable text columns (one ALTER each:
 * SQLite adds one column per statement); existing audits start unclaimed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audits").addColumn("send_back_claim_id", "text").execute();
  await db.schema.alterTable("audits").addColumn("send_back_claimed_at", "text").execute();
}
