import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { checkHealth } from "./health";
import { createTestContext, type TestContext } from "./testing";

const START = new Date("2026-08-03T09:00:00Z");

describe("checkHealth", () => {
  let test: TestContext | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it("is ok when the database answers and the config loads", async () => {
    test = await createTestContext(START);
    expect(await checkHealth(test.ctx)).toEqual({ ok: true, checks: { database: true, config: true } });
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
    expect(health).toEqual({ ok: false, checks: { database: true, config: false } });
    expect(JSON.stringify(health)).not.toContain("line 3");
    expect(logged).toEqual(["health check: config failed"]);
  });

  it("reports the database as down once it is closed", async () => {
    test = await createTestContext(START);
    await test.ctx.db.destroy();
    expect((await checkHealth(test.ctx)).checks.database).toBe(false);
  });
});
