import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuditConfigSchema } from "@/lib/config/schema";
import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import type { ReportError } from "@/lib/audit/types";
import { AppError } from "@/lib/errors";
import { rosterPagerDutyRefs, type RosterPagerDutyRef } from "@/lib/roster/pagerduty-refs";
import type { Roster } from "@/lib/roster/schema";
import { describeReadErrors, runAudit } from "./run-audit";

const NOW = new Date("2026-11-24T12:00:00Z");
const scenario = generateDemoOrg({ now: NOW });
const roster = rosterOfScenario(scenario);
let sandbox: PagerDutySandbox;

beforeAll(async () => {
  sandbox = await startPagerDutySandbox(scenario.pagerduty, { seed: 42 });
});
afterAll(async () => {
  await sandbox.stop();
});

async function audit(
  rosterRead: Roster | Promise<Roster> = roster,
  rosterRefs?: Promise<readonly RosterPagerDutyRef[]>,
) {
  const config = AuditConfigSchema.parse({ ...scenario.config, pagerduty: { url: sandbox.url } });
  const client = createPagerDutyClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    concurrency: 8,
    requestsPerMinute: 100_000,
    timeoutMs: 2_000,
    maxRetries: 8,
    // Short back-off keeps the test quick; the waits' shape is covered by the request helper's tests.
    retryBaseMs: 5,
    retryMaxMs: 50,
  });
  return runAudit({ config, roster: rosterRead, rosterRefs, client, now: NOW });
}

/** A promise and the functions that settle it, for a roster read the test finishes when it wants. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once the sandbox has answered `count` requests or more. */
async function answered(count: number): Promise<void> {
  await vi.waitFor(() => expect(sandbox.stats().byStatus["200"] ?? 0).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
  });
}

describe("runAudit with the roster still being read", () => {
  it("reads PagerDuty meanwhile, and gives the report of an audit that had the roster first", async () => {
    sandbox.setFaults({});
    const first = await audit();
    sandbox.resetStats();
    const rosterRead = deferred<Roster>();
    const running = audit(rosterRead.promise);
    // The user list and the schedules need no roster: they are answered before it is there.
    await answered(3);
    rosterRead.resolve(roster);
    const { report, hashInputs } = await running;
    expect(report.findings).toEqual(first.report.findings);
    expect(hashInputs().rosterSha256).toBe(first.hashInputs().rosterSha256);
  });

  it("looks the roster's users up from its refs, told before the roster is checked: the same report", async () => {
    sandbox.setFaults({});
    sandbox.resetStats();
    const first = await audit();
    const lookups = sandbox.stats().byRoute["GET /users/{id}"] ?? 0;
    expect(lookups).toBeGreaterThan(0);
    sandbox.resetStats();
    const rosterRead = deferred<Roster>();
    const running = audit(rosterRead.promise, Promise.resolve(rosterPagerDutyRefs(roster)));
    await vi.waitFor(() => expect(sandbox.stats().byRoute["GET /users/{id}"]).toBe(lookups), {
      timeout: 10_000,
    });
    rosterRead.resolve(roster);
    const { report } = await running;
    expect(report.findings).toEqual(first.report.findings);
  });

  it("throws the roster's error when its refs were told first", async () => {
    sandbox.setFaults({});
    sandbox.resetStats();
    const rosterRead = deferred<Roster>();
    const running = audit(rosterRead.promise, Promise.resolve(rosterPagerDutyRefs(roster)));
    await answered(1);
    const invalid = new AppError("invalid:roster", "The roster has problems.");
    rosterRead.reject(invalid);
    await expect(running).rejects.toBe(invalid);
  });

  it("stops reading PagerDuty when the roster fails, and throws the roster's error", async () => {
    sandbox.setFaults({});
    sandbox.resetStats();
    await audit();
    const whole = sandbox.stats().requests;
    sandbox.resetStats();
    const rosterRead = deferred<Roster>();
    const running = audit(rosterRead.promise);
    await answered(1);
    const invalid = new AppError("invalid:roster", "The roster has problems.");
    rosterRead.reject(invalid);
    await expect(running).rejects.toBe(invalid);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
    // Requests already sent may still be arriving; after that, none follows.
    await pause();
    const sent = sandbox.stats().requests;
    await pause();
    expect(sandbox.stats().requests).toBe(sent);
    expect(sent).toBeLessThan(whole);
  });
});

describe("runAudit against a misbehaving PagerDuty", () => {
  it("gives the clean run's findings when a fifth of requests fail transiently", async () => {
    sandbox.setFaults({});
    const clean = await audit();
    expect(clean.report.complete).toBe(true);
    expect(clean.report.findings.length).toBeGreaterThan(10);

    sandbox.resetStats();
    sandbox.setFaults({ transientErrorRate: 0.12, connectionResetRate: 0.04, truncatedBodyRate: 0.04 });
    const faulty = await audit();
    sandbox.setFaults({});
    const stats = sandbox.stats();
    const failed = Object.entries(stats.byStatus)
      .filter(([status]) => status !== "200")
      .reduce((sum, [, n]) => sum + n, 0);
    // The faults really happened (about a fifth of the requests), and changed nothing.
    expect(failed / stats.requests).toBeGreaterThan(0.1);
    expect(faulty.report.complete).toBe(true);
    expect(faulty.report.findings).toEqual(clean.report.findings);
    expect(faulty.hashInputs().rosterSha256).toBe(clean.hashInputs().rosterSha256);
  });
});

describe("describeReadErrors", () => {
  const error = (kind: ReportError["kind"], id: string | null, message: string): ReportError => ({
    kind,
    id,
    message,
    withheld: [],
  });
  const REFUSED =
    "PagerDuty refused the token after 12 successful requests (revoked or rotated during the audit?).";
  it.each([
    { name: "a complete run", errors: [], expected: "" },
    {
      name: "one cause for every read",
      errors: [error("users_list", null, REFUSED), error("schedule", "P1", REFUSED)],
      expected: `2 PagerDuty reads failed: ${REFUSED}`,
    },
    {
      name: "the most frequent cause among others",
      errors: [
        error(
          "user",
          "PU1",
          "PagerDuty answered 503 Service Unavailable to GET /users/PU1, after 1 retries.",
        ),
        error("schedule", "P1", REFUSED),
        error("schedule", "P2", REFUSED),
      ],
      expected: `3 PagerDuty reads failed; 2 of them: ${REFUSED}`,
    },
    {
      name: "the first listed on a tie, made a sentence",
      errors: [error("schedule", "P1", "timed out"), error("schedule", "P2", "reset")],
      expected: "2 PagerDuty reads failed; 1 of them: timed out.",
    },
    {
      name: "a single failure",
      errors: [error("schedule", "P1", REFUSED)],
      expected: `1 PagerDuty read failed: ${REFUSED}`,
    },
  ])("$name", ({ errors, expected }) => {
    expect(describeReadErrors(errors)).toBe(expected);
  });
});
