import type { Kysely } from "kysely";

/**
 * A table of its own for the health check's write probe, so that probing never touches audit data. Text
 * columns only: the same statement builds it on SQLite and Postgres.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("health_probes")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("headroom", "text", (col) => col.notNull())
    .execute();
}
