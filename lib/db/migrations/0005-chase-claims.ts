import type { Kysely } from "kysely";

/**
 * Claims on posting a chase step for a person, so that of several clicks, bulk actions or app instances
 * exactly one posts the comment, and a retry looks for it before posting again. One row per audit, step,
 * person and version of the person's findings it applies to (the key); never deleted. Text columns only:
 * the same statements build it on SQLite and Postgres.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("chase_claims")
    .addColumn("key", "text", (col) => col.primaryKey())
    .addColumn("audit_id", "text", (col) => col.notNull().references("audits.id"))
    .addColumn("person_key", "text", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("holder", "text")
    .addColumn("created_at", "text", (col) => col.notNull())
    .addColumn("claimed_at", "text")
    .addColumn("comment_url", "text")
    .addColumn("done_at", "text")
    .execute();
  await db.schema.createIndex("chase_claims_audit_id").on("chase_claims").column("audit_id").execute();
}
