import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as envModule from "@/lib/env";
import { readEnv, type Env } from "@/lib/env";

// The server's start, with its environment given here and nothing opened: the database and the sign-in
// options are stand-ins, so what is tested is whether the server agrees to start.
let env: Env;
vi.mock("@/lib/env", async (importOriginal) => ({
  ...(await importOriginal<typeof envModule>()),
  getEnv: () => env,
}));
vi.mock("@/lib/auth/session", () => ({ getAuthOptions: () => ({}) }));
const context = { stand: "in" };
vi.mock("@/lib/service/app-context", () => ({ getAppContext: async () => context }));
const reaped: unknown[] = [];
vi.mock("@/lib/service/runs", () => ({
  reapAbandonedRuns: async (ctx: unknown) => {
    reaped.push(ctx);
    return 0;
  },
}));

const { startServer } = await import("./start");

class Exited extends Error {}

describe("startServer", () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
    vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Exited(`exit ${String(code)}`);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const GITLAB = {
    GITLAB_CLIENT_ID: "app-id",
    GITLAB_CLIENT_SECRET: "app-secret",
    NODE_ENV: "production",
    NEXTAUTH_URL: "https://audit.example.com",
    AUDIT_REPLY_SWEEP_MINUTES: "0",
  };

  it.each([
    ["missing", {}, /NEXTAUTH_SECRET is not set/],
    ["short", { NEXTAUTH_SECRET: "short-s3cr3t" }, /NEXTAUTH_SECRET is 12 characters long/],
  ])("refuses to start with the session secret %s, saying why", async (_name, vars, reason) => {
    env = readEnv({ ...GITLAB, ...vars });
    await expect(startServer()).rejects.toThrow("exit 1");
    expect(printed.join("\n")).toMatch(reason);
    expect(printed.join("\n")).not.toContain("short-s3cr3t");
  });

  it("starts with a long secret", async () => {
    env = readEnv({ ...GITLAB, NEXTAUTH_SECRET: "x".repeat(44) });
    await expect(startServer()).resolves.toBeUndefined();
    expect(printed).toEqual([]);
  });

  it("marks failed, once its database is open, the runs no live process owns (a killed server's)", async () => {
    reaped.length = 0;
    env = readEnv({ ...GITLAB, NEXTAUTH_SECRET: "x".repeat(44) });
    await startServer();
    expect(reaped).toEqual([context]);
  });
});
