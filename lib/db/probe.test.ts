import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { probeDatabaseWrite } from "./probe";
import { fillSqliteDatabase, listTestDatabases } from "./testing";

const kinds = await listTestDatabases();

describe.each(kinds)("probeDatabaseWrite on $name", (kind) => {
  it("commits a write and keeps one probe row however often it runs, even from two instances", async () => {
    const place = await kind.create();
    const [a, b] = await Promise.all([openDatabase(place.options), openDatabase(place.options)]);
    try {
      if (kind.name === "postgres") {
        for (let i = 0; i < 5; i++) await Promise.all([probeDatabaseWrite(a.db), probeDatabaseWrite(b.db)]);
      } else {
        // Two SQLite handles in one process take turns: one waiting for the other's lock blocks the thread.
        await probeDatabaseWrite(a.db);
        await probeDatabaseWrite(b.db);
      }
      await probeDatabaseWrite(a.db);
      await probeDatabaseWrite(b.db);
      const rows = await a.db.selectFrom("health_probes").select("id").execute();
      expect(rows).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await place.drop();
    }
  });
});

describe("probeDatabaseWrite on a full SQLite database", () => {
  it("fails with SQLITE_FULL once the database has no room left", async () => {
    const sqlite = kinds.find((k) => k.name === "sqlite");
    if (!sqlite) throw new Error("SQLite is always tested");
    const place = await sqlite.create();
    const opened = await openDatabase(place.options);
    try {
      await probeDatabaseWrite(opened.db);
      await fillSqliteDatabase(opened.db);
      await expect(probeDatabaseWrite(opened.db)).rejects.toMatchObject({ code: "SQLITE_FULL" });
    } finally {
      await opened.close();
      await place.drop();
    }
  });
});
