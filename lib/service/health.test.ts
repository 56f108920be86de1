import { sql } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fillSqliteDatabase } from "@/lib/db/testing";
import { AppError } from "@/lib/errors";
import type { AppContext } from "./context";
import { checkHealth } from "./health";
import { createTestContext, type TestContext } from "@/lib/testing/app-context";

// GET /api/health over this test's context instead of the server's.
let routeContext: AppContext | undefined;
vi.mock("./app-context", () => ({
  getAppContext: async () => {
    if (!routeContext) throw new Error("no context");
    return routeContext;
  },
}));
const { GET } = await import("@/app/api/health/route");

const START = new Date("2026-08-03T09:00:00Z");

describe("checkHealth", () => {
  let test: TestContext | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it("is ok when the database answers and the config loads", async () => {
    test = await createTestContext(START);
    expect(await checkHealth(test.ctx)).toEqual({
      ok: true,
      checks: { database: true, databaseWrite: true, config: true },
    });
  });

  it("names the failing check, logs why, and says nothing more", async () => {
    test = await createTestContext(START);
    const logged: string[] = [];
    const ctx = {
      ...test.ctx,
      loadConfig: () => Promise.reject(new AppError("invalid:config", "audit.config.yaml: line 3: bad")),
      log: (message: string) => logged.push(message),
    };
    const health = await checkHealth(ctx);
    expect(health).toEqual({ ok: false, checks: { database: true, databaseWrite: true, config: false } });
    expect(JSON.stringify(health)).not.toContain("line 3");
    expect(logged).toEqual(["health check: config failed"]);
  });

  it("is not ok when the database answers but cannot write (a full disk), and logs SQLite's own error", async () => {
    test = await createTestContext(START);
    expect((await checkHealth(test.ctx)).ok).toBe(true);
    await fillSqliteDatabase(test.ctx.db);
    const logged: { message: string; error: unknown }[] = [];
    const ctx = { ...test.ctx, log: (message: string, error: unknown) => logged.push({ message, error }) };
    expect(await checkHealth(ctx)).toEqual({
      ok: false,
      checks: { database: true, databaseWrite: false, config: true },
    });
    expect(logged).toEqual([
      {
        message: "health check: database write failed",
        error: expect.objectContaining({ code: "SQLITE_FULL", message: "database or disk is full" }),
      },
    ]);
  });

  it("GET /api/health answers 503 on a full disk, and 200 once there is room again", async () => {
    test = await createTestContext(START);
    routeContext = { ...test.ctx, log: () => {} };
    await fillSqliteDatabase(test.ctx.db);
    const full = await GET();
    expect(full.status).toBe(503);
    expect(await full.json()).toEqual({
      ok: false,
      checks: { database: true, databaseWrite: false, config: true },
    });
    // Room on the disk again.
    await sql`pragma max_page_count = 1000000`.execute(test.ctx.db);
    expect((await GET()).status).toBe(200);
    routeContext = undefined;
  });

  it("stays ok check after check: the write leaves one probe row behind, not one per check", async () => {
    test = await createTestContext(START);
    for (let i = 0; i < 5; i++) expect((await checkHealth(test.ctx)).ok).toBe(true);
    const { rows } = await sql<{ n: number }>`select count(*) as n from health_probes`.execute(test.ctx.db);
    expect(rows[0]?.n).toBe(1);
  });

  it("reports the database as down once it is closed", async () => {
    test = await createTestContext(START);
    await test.ctx.db.destroy();
    expect((await checkHealth(test.ctx)).checks).toMatchObject({ database: false, databaseWrite: false });
  });
});
