import { sql, type Kysely } from "kysely";
import type { DialectName } from "@/lib/db/schema";

/**
 * The first schema: audits, their runs, the items the runs found and the event log. Plain portable types
 * only (text, integer), so the same statements build the same tables on SQLite and Postgres; the event
 * log's auto-numbered id is the one place the dialects differ.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable("audits")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("fiscal_year", "integer", (col) => col.notNull())
    .addColumn("quarter", "integer", (col) => col.notNull().check(sql`quarter between 1 and 4`))
    .addColumn("opens_on", "text", (col) => col.notNull())
    .addColumn("due_on", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("created_at", "text", (col) => col.notNull())
    .addColumn("created_by", "text", (col) => col.notNull())
    .addColumn("issue_url", "text")
    .addColumn("issue_iid", "integer")
    .addColumn("signed_off_at", "text")
    .addColumn("signed_off_by", "text")
    .addColumn("sign_off_report_sha256", "text")
    .addColumn("sign_off_override_reason", "text")
    .addUniqueConstraint("audits_name_unique", ["name"])
    .execute();

  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("audit_id", "text", (col) => col.notNull().references("audits.id"))
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("started_at", "text", (col) => col.notNull())
    .addColumn("finished_at", "text")
    .addColumn("started_by", "text", (col) => col.notNull())
    .addColumn("heartbeat_at", "text", (col) => col.notNull())
    .addColumn("roster_sha256", "text")
    .addColumn("config_sha256", "text")
    .addColumn("snapshot_sha256", "text")
    .addColumn("report_json", "text")
    .addColumn("findings_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("progress_json", "text")
    .execute();
  await db.schema.createIndex("runs_audit_started").on("runs").columns(["audit_id", "started_at"]).execute();
  // At most one running run per audit, whichever app instance starts it: the second insert fails.
  await db.schema
    .createIndex("runs_one_running_per_audit")
    .on("runs")
    .column("audit_id")
    .unique()
    .where(sql.ref("status"), "=", "running")
    .execute();

  await db.schema
    .createTable("items")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("audit_id", "text", (col) => col.notNull().references("audits.id"))
    .addColumn("key", "text", (col) => col.notNull())
    .addColumn("code", "text", (col) => col.notNull())
    .addColumn("severity", "text", (col) => col.notNull())
    .addColumn("person_key", "text")
    .addColumn("person_name", "text")
    .addColumn("person_email", "text")
    .addColumn("gitlab_username", "text")
    .addColumn("manager_name", "text")
    .addColumn("region", "text")
    .addColumn("schedule_id", "text")
    .addColumn("schedule_name", "text")
    .addColumn("rotation", "text")
    .addColumn("message", "text", (col) => col.notNull())
    .addColumn("evidence_json", "text", (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("state_changed_at", "text", (col) => col.notNull())
    .addColumn("waived_until", "text")
    .addColumn("justification", "text")
    .addColumn("replied_at", "text")
    .addColumn("first_seen_run_id", "text", (col) => col.notNull().references("runs.id"))
    .addColumn("last_seen_run_id", "text", (col) => col.notNull().references("runs.id"))
    .addColumn("recurred", "integer", (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`recurred in (0, 1)`),
    )
    .addColumn("created_at", "text", (col) => col.notNull())
    .addUniqueConstraint("items_audit_key_unique", ["audit_id", "key"])
    .execute();
  await db.schema.createIndex("items_audit_person").on("items").columns(["audit_id", "person_key"]).execute();

  await db.schema
    .createTable("events")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (col) =>
      dialect === "postgres" ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn("audit_id", "text", (col) => col.notNull().references("audits.id"))
    .addColumn("item_id", "text", (col) => col.references("items.id"))
    .addColumn("person_key", "text")
    .addColumn("actor", "text", (col) => col.notNull())
    .addColumn("at", "text", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("from_state", "text")
    .addColumn("to_state", "text")
    .addColumn("detail_json", "text")
    .execute();
  await db.schema
    .createIndex("events_audit_person")
    .on("events")
    .columns(["audit_id", "person_key"])
    .execute();
  await db.schema.createIndex("events_item").on("events").column("item_id").execute();
}
