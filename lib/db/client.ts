import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, sql } from "kysely";
import { Pool, TypeOverrides } from "pg";
import { MarkedSqliteDialect } from "@/lib/db/dialect";
import { migrateToLatest } from "@/lib/db/migrations";
import type { Database, DialectName } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";

export interface OpenDatabaseOptions {
  /**
   * A `postgres://` or `postgresql://` URL selects Postgres (for several app instances); unset or empty
   * selects the embedded SQLite file. A schema other than the default is chosen in the URL:
   * `?options=-c%20search_path%3Daudit`.
   */
  databaseUrl?: string | null;
  /** Where the SQLite file lives (`<dataDir>/audit.sqlite`); created when missing. */
  dataDir: string;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = "audit.sqlite";
const BUSY_TIMEOUT_MS = 5_000;
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the audit database and brings its schema up to date (idempotent). Several app instances may open
 * one Postgres database at once: Kysely's migrator holds an advisory lock while it migrates. Throws
 * AppError `invalid:environment` for a URL of another kind and `internal:database` when the database
 * cannot be reached or migrated; the message never repeats the URL, which may hold a password.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const url = options.databaseUrl?.trim();
  if (!url) return openSqlite(options.dataDir);
  if (!POSTGRES_URL.test(url)) {
    throw new AppError(
      "invalid:environment",
      "DATABASE_URL must be a postgres:// or postgresql:// URL; leave it unset to use the embedded SQLite database.",
    );
  }
  return openPostgres(url);
}

async function openSqlite(dataDir: string): Promise<OpenedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const sqlite = new SQLite(join(dataDir, SQLITE_FILE_NAME), { timeout: BUSY_TIMEOUT_MS });
  try {
    await switchToWal(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Database>({ dialect: new MarkedSqliteDialect({ database: sqlite }) });
  try {
    // Kysely takes no lock to migrate SQLite. One write transaction around the migrations makes a second
    // process opening the same file wait for the first, then find nothing left to do; a failed migration
    // leaves no half-built schema behind.
    sqlite.exec("BEGIN IMMEDIATE");
    try {
      await migrateToLatest(db, "sqlite");
      sqlite.exec("COMMIT");
    } finally {
      if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

const WAL_RETRY_MS = 25;

/**
 * Puts the file in WAL mode (it stays so). SQLite answers the switch with SQLITE_BUSY at once, without
 * its busy handler, while another connection holds the file's write lock, e.g. a second process migrating
 * a new file. So wait for that lock here, up to the busy timeout, as every other statement does.
 */
async function switchToWal(sqlite: SQLite.Database): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      sqlite.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      const busy = error instanceof SQLite.SqliteError && error.code === "SQLITE_BUSY";
      if (!busy || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, WAL_RETRY_MS));
    }
  }
}

async function openPostgres(url: string): Promise<OpenedDatabase> {
  // COUNT(*) and the event log's bigserial id arrive as int8, which pg gives as text by default. Numbers
  // far below 2^53 read as numbers keep results identical to SQLite's. Set on this pool only.
  const types = new TypeOverrides();
  types.setTypeParser(20, Number);
  const pool = new Pool({ connectionString: url, types, connectionTimeoutMillis: 10_000 });
  // An idle connection that breaks (a server restart) is dropped by the pool and replaced on the next
  // query; without a listener the error event would end the process.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const schema = await currentSchema(db);
    await migrateToLatest(db, "postgres", schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: "postgres", close: () => db.destroy() };
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  let schema: string | null | undefined;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = result.rows[0]?.schema;
  } catch (error) {
    throw new AppError("internal:database", "Cannot connect to the Postgres database (DATABASE_URL).", {
      cause: error,
    });
  }
  if (!schema) {
    throw new AppError(
      "internal:database",
      "The Postgres search_path names no existing schema; create the schema or fix DATABASE_URL.",
    );
  }
  return schema;
}
