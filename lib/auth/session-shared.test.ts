import { afterEach, describe, expect, it, vi } from "vitest";
import type * as rosterSource from "@/lib/gitlab/roster-source";

// `server-only` throws outside a React Server Components build; what is tested is where the state lives.
vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({ cookies: async () => ({ getAll: () => [] }) }));
vi.mock("@/lib/env", () => ({
  getEnv: () => ({ AUDIT_CONFIG: "audit.config.yaml", PAGERDUTY_API_URL: undefined, GL_TOKEN: undefined }),
}));
// A roster in GitLab: read each time it is asked for (no file stamp), so every read is counted.
vi.mock("@/lib/config/load", () => ({
  loadAuditConfig: async () => ({ roster: { gitlab_project: "support/team", file: "t.yaml" }, gitlab: {} }),
}));
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/gitlab/roster-source", async (importOriginal) => ({
  ...(await importOriginal<typeof rosterSource>()),
  loadConfiguredRoster: async () => {
    loads.count += 1;
    return { entries: [] };
  },
}));

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__auditAuthState;
  loads.count = 0;
});

describe("the session's roster, when Next loads the module more than once", () => {
  it("is read once for every copy of the module (server components, route handlers, instrumentation)", async () => {
    // Next bundles route handlers, server components and instrumentation apart, each with its own copy of
    // this module; at 10,000 people a roster read costs over a second of CPU, once per copy at first use.
    vi.resetModules();
    const first = await import("./session");
    vi.resetModules();
    const second = await import("./session");
    expect(second).not.toBe(first);
    const [a, b] = await Promise.all([first.getRosterDirectory(), second.getRosterDirectory()]);
    expect(b).toBe(a);
    expect(loads.count).toBe(1);
  });
});
