import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { rejectedAppError } from "@/lib/testing/errors";
import { openDatabase, SQLITE_FILE_NAME, type OpenedDatabase } from "./client";
import { createAudit } from "./queries";
import { fillSqliteDatabase, getAuditByName, listTestDatabases, withPlace } from "./testing";

const NOW = new Date("2026-11-24T12:00:00Z");
const kinds = await listTestDatabases();
/** Every migration, in the order they apply. */
const ALL_MIGRATIONS = [
  "0001-initial",
  "0002-issue-claim",
  "0003-health-probe",
  "0004-actor-key",
  "0005-chase-claims",
  "0006-send-back-claim",
  "0007-scheduled-runs",
  "0008-autopilot",
  "0009-item-owner",
  "0010-person-timezone",
  "0011-autopilot-pauses",
  "0012-manager-timezone",
];

async function appliedMigrations(opened: OpenedDatabase): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
    opened.db,
  );
  return rows.map((r) => r.name);
}

/** A Node process that loads openDatabase, says it is ready, and opens `dataDir` when told to go. */
function openInAnotherProcess(dataDir: string) {
  const client = fileURLToPath(new URL("./client.ts", import.meta.url));
  const script = `const { openDatabase } = await import(${JSON.stringify(client)});
    process.stdout.write("ready\\n");
    await new Promise((resolve) => process.stdin.once("data", resolve));
    const opened = await openDatabase({ dataDir: process.argv[1] });
    await opened.close();
    process.stdin.destroy();`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dataDir]);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // A process that dies while loading counts as ready, so the test reports its error instead of hanging.
  const ready = new Promise<void>((resolve) => {
    child.stdout.once("data", () => resolve());
    child.on("close", () => resolve());
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr })),
  );
  return { ready, exited, go: () => child.stdin.write("go\n") };
}

/**
 * A Node process that creates the SQLite file (rollback journal, as a new file starts), takes its write
 * lock (`BEGIN IMMEDIATE`), says so, and releases it `holdMs` later.
 */
function holdWriteLockInAnotherProcess(file: string, holdMs: number) {
  const betterSqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script = `const SQLite = require(${JSON.stringify(betterSqlite)});
    const db = new SQLite(process.argv[1]);
    db.exec("create table held (x)");
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ["-e", script, file, String(holdMs)]);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.on("close", () => reject(new Error(`the lock holder exited before locking: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { locked, exited };
}

describe.each(kinds)("openDatabase on $name", (kind) => {
  it("migrates an empty database once; opening again keeps the data and migrates nothing", async () => {
    await withPlace(kind.create, async (place) => {
      const first = await openDatabase(place.options);
      expect(first.dialect).toBe(kind.name);
      await createAudit(first.db, {
        name: "FY27-Q3",
        fiscalYear: 2027,
        quarter: 3,
        opensOn: "2026-11-01",
        dueOn: "2026-11-30",
        createdBy: "ops",
        now: NOW,
      });
      await first.close();

      const second = await openDatabase(place.options);
      try {
        expect(await appliedMigrations(second)).toEqual(ALL_MIGRATIONS);
        expect((await getAuditByName(second.db, "FY27-Q3")).createdBy).toBe("ops");
      } finally {
        await second.close();
      }
    });
  });

  it("lets two app instances start against one empty database at the same moment", async () => {
    await withPlace(kind.create, async (place) => {
      const opened = await Promise.all([openDatabase(place.options), openDatabase(place.options)]);
      try {
        for (const handle of opened) expect(await appliedMigrations(handle)).toEqual(ALL_MIGRATIONS);
      } finally {
        await Promise.all(opened.map((handle) => handle.close()));
      }
    });
  });
});

describe("openDatabase configuration", () => {
  it("keeps the SQLite file in the data directory, creating the directory, in WAL mode with foreign keys on", async () => {
    const sqlite = kinds.find((k) => k.name === "sqlite");
    if (!sqlite) throw new Error("SQLite is always tested");
    await withPlace(sqlite.create, async (place) => {
      const dataDir = join(place.options.dataDir, "nested", "data");
      const opened = await openDatabase({ dataDir });
      try {
        expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db);
        expect(mode.rows[0]?.journal_mode).toBe("wal");
        // A run of an audit that does not exist is refused by the foreign key.
        await expect(
          sql`insert into runs (id, audit_id, status, started_at, started_by, heartbeat_at)
              values ('r1', 'no-such-audit', 'running', 'x', 'x', 'x')`.execute(opened.db),
        ).rejects.toThrow(/FOREIGN KEY/);
      } finally {
        await opened.close();
      }
    });
  });

  it("fails a transaction on a full disk with SQLite's own error, not with a ROLLBACK of nothing", async () => {
    const sqlite = kinds.find((k) => k.name === "sqlite");
    if (!sqlite) throw new Error("SQLite is always tested");
    await withPlace(sqlite.create, async (place) => {
      const opened = await openDatabase(place.options);
      try {
        await fillSqliteDatabase(opened.db);
        // SQLite ends the transaction itself on SQLITE_FULL; a second ROLLBACK would fail and hide why.
        const failed = await opened.db
          .transaction()
          .execute((trx) => sql`insert into test_filler (b) values (randomblob(65536))`.execute(trx))
          .then(
            () => null,
            (error: unknown) => error,
          );
        expect(failed).toMatchObject({ code: "SQLITE_FULL", message: "database or disk is full" });
        // Once there is room again, the same connection writes.
        await sql`pragma max_page_count = 1000000`.execute(opened.db);
        await opened.db
          .transaction()
          .execute((trx) => sql`insert into test_filler (b) values (randomblob(65536))`.execute(trx));
      } finally {
        await opened.close();
      }
    });
  });

  it("lets several processes open one new SQLite file at the same moment", async () => {
    // Kysely takes no migration lock on SQLite; without openDatabase's own, one of these processes fails
    // with "table audits already exists".
    const sqlite = kinds.find((k) => k.name === "sqlite");
    if (!sqlite) throw new Error("SQLite is always tested");
    await withPlace(sqlite.create, async (place) => {
      const processes = [1, 2, 3].map(() => openInAnotherProcess(place.options.dataDir));
      // Loading modules takes far longer than migrating: start all the opens together, once all are loaded.
      await Promise.all(processes.map((p) => p.ready));
      for (const p of processes) p.go();
      expect(await Promise.all(processes.map((p) => p.exited))).toEqual([
        { code: 0, stderr: "" },
        { code: 0, stderr: "" },
        { code: 0, stderr: "" },
      ]);
      const opened = await openDatabase(place.options);
      try {
        expect(await appliedMigrations(opened)).toEqual(ALL_MIGRATIONS);
      } finally {
        await opened.close();
      }
    });
  });

  it("waits for another connection's write lock instead of failing to switch a new file to WAL", async () => {
    // SQLite answers `PRAGMA journal_mode = WAL` with SQLITE_BUSY at once, without calling the busy
    // handler, while another connection holds the write lock: how a second process starting beside a
    // migrating one used to fail.
    const sqlite = kinds.find((k) => k.name === "sqlite");
    if (!sqlite) throw new Error("SQLite is always tested");
    await withPlace(sqlite.create, async (place) => {
      mkdirSync(place.options.dataDir, { recursive: true });
      const holder = holdWriteLockInAnotherProcess(join(place.options.dataDir, SQLITE_FILE_NAME), 300);
      await holder.locked;
      const opened = await openDatabase(place.options);
      try {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db);
        expect(mode.rows[0]?.journal_mode).toBe("wal");
        expect(await appliedMigrations(opened)).toEqual(ALL_MIGRATIONS);
      } finally {
        await opened.close();
      }
      expect(await holder.exited).toBe(0);
    });
  });

  it("refuses a DATABASE_URL that is not Postgres rather than silently using SQLite", async () => {
    const error = await rejectedAppError(
      openDatabase({ databaseUrl: "mysql://user:secret@db/audit", dataDir: "/nonexistent" }),
    );
    expect(error.code).toBe("invalid:environment");
    expect(error.message).not.toContain("secret");
  });

  it("says so, without the password, when Postgres cannot be reached", async () => {
    const error = await rejectedAppError(
      openDatabase({ databaseUrl: "postgres://user:secret@127.0.0.1:1/audit", dataDir: "/nonexistent" }),
    );
    expect(error.code).toBe("internal:database");
    expect(error.message).toMatch(/cannot connect/i);
    expect(error.message).not.toContain("secret");
  });
});
