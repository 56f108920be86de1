import { afterEach, describe, expect, it } from "vitest";

import { AuditConfigSchema } from "@/lib/config/schema";
import { fetchPagerDutySnapshot, usersToListPastLimit } from "@/lib/pagerduty/snapshot";
import { fillerUsers, sandboxClient, sandboxUser } from "@/lib/testing/pagerduty";
import { runAudit } from "@/lib/runner/run-audit";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { auditScenario, rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateOrg } from "@/sandbox/scenarios/generate-org";

/**
 * Accounts past PagerDuty's 10,000-record pagination limit, audited over HTTP against the sandbox (which
 * refuses offset + limit past 10,000 as PagerDuty does): the report must be the one a read of the whole
 * user list would give, built from the sandbox's own state without HTTP (`auditScenario`).
 */

const NOW = new Date("2026-11-24T12:00:00Z");

let sandbox: PagerDutySandbox | undefined;

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

describe("an account with 12,000 users", () => {
  it.each([
    { people: 300, path: "the first 10,000 users listed", listPages: 100 },
    { people: 60, path: "only the first page listed", listPages: 1 },
  ])(
    "audits completely with a $people-person roster ($path), with the findings of a whole-list read",
    async ({ people, listPages }) => {
      const scenario = generateOrg({
        people,
        pagerDutyUsers: 12_000,
        extraPagerDutyUsers: 0,
        schedules: 12,
        v3Share: 0.5,
        seed: 11,
        now: NOW,
      });
      sandbox = await startPagerDutySandbox(scenario.pagerduty, { port: 0 });
      const config = AuditConfigSchema.parse({
        ...scenario.config,
        pagerduty: { ...scenario.config.pagerduty, url: sandbox.url },
      });
      const roster = rosterOfScenario(scenario);
      const rosterIds = new Set(roster.entries.flatMap((e) => e.person.pagerduty?.id ?? []));
      const live = scenario.pagerduty.users.filter((u) => u.deleted_at === null);
      expect(live.length).toBeGreaterThan(10_000);
      expect(usersToListPastLimit(live.length, rosterIds.size) > 0).toBe(listPages === 100);

      const { report, snapshot } = await runAudit({
        config,
        roster,
        client: sandboxClient(sandbox),
        now: NOW,
      });

      expect(snapshot.failures).toEqual([]);
      expect(report.complete).toBe(true);
      const expected = auditScenario(scenario, NOW);
      // The org carries every kind of problem, those found by email included.
      expect(new Set(expected.findings.map((f) => f.code)).size).toBe(11);
      expect(report).toEqual(expected);

      // Only part of the list was read; the roster emails no user read has were queried, one request each.
      const listed = new Set(live.slice(0, listPages * 100).map((u) => u.id));
      const { byRoute } = sandbox.stats();
      const queries = (byRoute["GET /users"] ?? 0) - listPages;
      expect(queries).toBeGreaterThan(0);
      expect(queries).toBeLessThanOrEqual(roster.entries.length);
      // Some roster users lay past what was listed and were read by ID instead.
      const rosterPastList = [...rosterIds].filter((id) => !listed.has(id)).length;
      expect(rosterPastList).toBeGreaterThan(0);
      expect(byRoute["GET /users/{id}"] ?? 0).toBeGreaterThanOrEqual(rosterPastList);
    },
  );
});

describe("email lookups past the limit", () => {
  it("records a failed email lookup as a users_list failure, which withholds what depends on the list", async () => {
    sandbox = await startPagerDutySandbox(
      { users: [...fillerUsers(10_001), sandboxUser("PZBOB01", "Bob Baker")], schedules: [] },
      { port: 0 },
    );
    const queriesFail: typeof fetch = async (input, init) =>
      new URL(String(input)).searchParams.has("query")
        ? new Response(JSON.stringify({ error: { message: "Internal error", code: 2000 } }), { status: 500 })
        : fetch(input, init);
    const snapshot = await fetchPagerDutySnapshot(
      sandboxClient(sandbox, { fetch: queriesFail, maxRetries: 1 }),
      {
        scheduleIds: [],
        rosterUserIds: [],
        rosterPeople: [{ email: "bob.baker@example.com", pagerdutyId: null }],
        now: NOW,
      },
    );
    expect(snapshot.failures).toEqual([
      { kind: "users_list", message: expect.stringContaining("bob.baker@example.com") },
    ]);
    expect(snapshot.users.map((u) => u.id)).not.toContain("PZBOB01");
  });
});
