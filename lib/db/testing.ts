/**
 * The databases the storage tests run against: a SQLite file in a temporary directory, and a throwaway
 * schema in a real Postgres (`DATABASE_URL_TEST`, default the local one). Test setup is the one place
 * outside lib/env.ts that reads the environment. With `CI=true` an unreachable Postgres fails the
 * Postgres tests; elsewhere they are skipped with a warning.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import { Client, Pool } from "pg";
import { SQLITE_FILE_NAME, type OpenDatabaseOptions } from "@/lib/db/client";
import { createMigrationProvider } from "@/lib/db/migrations";
import { applyItemStates, type ItemStateUpdate } from "@/lib/db/queries";
import { auditNotFound, itemChanged, itemNotFound, type Db } from "@/lib/db/queries/shared";
import { auditFromRow, itemFromRow, type Audit, type Item } from "@/lib/db/records";
import type { Database, DialectName } from "@/lib/db/schema";

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** One place to store data in: an empty SQLite directory or an empty Postgres schema. */
export interface TestDatabase {
  /** openDatabase options for the place; open as many handles as a test needs. */
  options: OpenDatabaseOptions;
  /** Removes the place, after every handle on it is closed. */
  drop(): Promise<void>;
}

/** Runs `test` on a fresh place of `create`, and drops the place afterwards, whatever the test did. */
export async function withPlace(
  create: () => Promise<TestDatabase>,
  test: (place: TestDatabase) => Promise<void>,
): Promise<void> {
  const place = await create();
  try {
    await test(place);
  } finally {
    await place.drop();
  }
}

export interface TestDatabaseKind {
  name: DialectName;
  /** A fresh, empty place. */
  create(): Promise<TestDatabase>;
}

/** SQLite always; Postgres when reachable, and always under CI (where unreachable must fail). */
export async function listTestDatabases(): Promise<TestDatabaseKind[]> {
  const url = process.env.DATABASE_URL_TEST?.trim() || DEFAULT_TEST_DATABASE_URL;
  const ci = process.env.CI === "true";
  const unreachable = await probePostgres(url);
  if (unreachable && !ci) {
    console.warn(
      [
        "",
        "!".repeat(100),
        `!! Postgres is unreachable at ${redact(url)}: the Postgres storage tests are SKIPPED.`,
        `!! (${unreachable.message})`,
        "!! Start Postgres or set DATABASE_URL_TEST; with CI=true these tests fail instead.",
        "!".repeat(100),
        "",
      ].join("\n"),
    );
    return [SQLITE];
  }
  return [SQLITE, postgresKind(url, unreachable)];
}

const SQLITE: TestDatabaseKind = {
  name: "sqlite",
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "audit-db-test-"));
    return {
      options: { dataDir, databaseUrl: null },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

/** A schema `t_<random>`, reached through the URL's search_path. */
function postgresKind(url: string, unreachable: Error | null): TestDatabaseKind {
  return {
    name: "postgres",
    async create() {
      if (unreachable) {
        throw new Error(
          `Postgres is unreachable at ${redact(url)} and CI=true requires it: ${unreachable.message}`,
          {
            cause: unreachable,
          },
        );
      }
      const schema = `t_${randomBytes(8).toString("hex")}`;
      await withClient(url, (client) => client.query(`create schema "${schema}"`));
      const withSchema = new URL(url);
      withSchema.searchParams.set("options", `-c search_path=${schema}`);
      return {
        options: { databaseUrl: withSchema.toString(), dataDir: join(tmpdir(), "audit-db-test-unused") },
        drop: async () => {
          await withClient(url, (client) => client.query(`drop schema "${schema}" cascade`));
        },
      };
    },
  };
}

/**
 * A handle on `place` migrated only up to `migration`: the schema a database had before the migrations
 * after it, for the tests that a migration keeps what was stored.
 */
export async function openMigratedTo(
  place: TestDatabase,
  dialect: DialectName,
  migration: string,
): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({
    dialect:
      dialect === "sqlite"
        ? new SqliteDialect({ database: new SQLite(join(place.options.dataDir, SQLITE_FILE_NAME)) })
        : new PostgresDialect({ pool: new Pool({ connectionString: place.options.databaseUrl ?? "" }) }),
  });
  const schema =
    dialect === "postgres"
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo(migration);
  if (error) throw error;
  return db;
}

async function probePostgres(url: string): Promise<Error | null> {
  try {
    await withClient(url, (client) => client.query("select 1"));
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function withClient<T>(url: string, query: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await query(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * Fills a SQLite database to the last page, as a full disk would: caps its size at what it has now
 * (`max_page_count`, for this connection only) and writes rows until SQLite answers SQLITE_FULL.
 */
export async function fillSqliteDatabase(db: Kysely<Database>): Promise<void> {
  await sql`create table if not exists test_filler (b blob)`.execute(db);
  const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
  await sql.raw(`pragma max_page_count = ${rows[0]?.page_count ?? 1}`).execute(db);
  for (let size = 4096; size >= 16;) {
    try {
      await sql`insert into test_filler (b) values (randomblob(${size}))`.execute(db);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_FULL") throw error;
      size = Math.floor(size / 2);
    }
  }
}

/** Throws AppError `not_found:audit`. */
export async function getAuditByName(db: Db, name: string): Promise<Audit> {
  const row = await db.selectFrom("audits").selectAll().where("name", "=", name).executeTakeFirst();
  if (!row) throw auditNotFound();
  return auditFromRow(row);
}

/** Throws AppError `not_found:item`. */
export async function getItemById(db: Db, itemId: string): Promise<Item> {
  const row = await db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirst();
  if (!row) throw itemNotFound();
  return itemFromRow(row);
}

/**
 * One change through applyItemStates, its skip thrown: AppError `conflict:item` when the item is no longer
 * as read (`expectedState`, `expectedSince`), `not_found:item`; and, as there, `conflict:audit` when its
 * audit was signed off meanwhile.
 */
export async function updateItemState(db: Db, update: ItemStateUpdate): Promise<Item> {
  const { applied, conflicts } = await applyItemStates(db, [update]);
  const [item] = applied;
  if (item) return item;
  const state = conflicts[0]?.currentState ?? null;
  throw state === null ? itemNotFound() : itemChanged(state);
}
