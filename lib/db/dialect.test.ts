import SQLite from "better-sqlite3";
import { Kysely, sql, type Generated } from "kysely";
import { describe, expect, it } from "vitest";
import { MarkedSqliteDialect, withKeptStatements } from "./dialect";

describe("withKeptStatements", () => {
  it("prepares each SQL text once and drops the least recently used past its limit", () => {
    const database = new SQLite(":memory:");
    const prepared: string[] = [];
    const counting = {
      close: () => database.close(),
      prepare: (text: string) => {
        prepared.push(text);
        return database.prepare(text);
      },
    };
    const kept = withKeptStatements(counting, 2);
    const one = kept.prepare("select 1 as n");
    expect(kept.prepare("select 1 as n")).toBe(one);
    kept.prepare("select 2 as n");
    // "select 1" was used after "select 2": at the limit, "select 3" pushes out "select 2", not it.
    kept.prepare("select 1 as n");
    kept.prepare("select 3 as n");
    kept.prepare("select 1 as n");
    kept.prepare("select 2 as n");
    expect(prepared).toEqual(["select 1 as n", "select 2 as n", "select 3 as n", "select 2 as n"]);
    database.close();
  });

  it("answers as a fresh statement would, query after query, reads and writes alike", async () => {
    const database = new SQLite(":memory:");
    const db = new Kysely<{ t: { id: Generated<number>; name: string } }>({
      dialect: new MarkedSqliteDialect({ database }),
    });
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    for (const name of ["a", "b", "c"]) {
      const inserted = await db.insertInto("t").values({ name }).executeTakeFirstOrThrow();
      expect(inserted.numInsertedOrUpdatedRows).toBe(1n);
    }
    const byName = (name: string) =>
      db.selectFrom("t").select("id").where("name", "=", name).executeTakeFirst();
    expect(await byName("b")).toEqual({ id: 2 });
    expect(await byName("c")).toEqual({ id: 3 });
    expect(await byName("z")).toBeUndefined();
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom("t").where("name", "=", "b").execute();
    });
    expect(await byName("b")).toBeUndefined();
    expect(await db.selectFrom("t").select("name").orderBy("id").execute()).toEqual([
      { name: "a" },
      { name: "c" },
    ]);
    await db.destroy();
  });
});
