/**
 * The full audit over HTTP, as the CLI runs it: the project's client with the config's settings against the
 * sandbox PagerDuty at 100 ms latency. Targets: ≤ 3 s wall time, ≤ 1.1× the minimum requests.
 */
import { createPagerDutyClientFromConfig } from "../../lib/pagerduty/client";
import { runAudit } from "../../lib/runner/run-audit";
import { startPagerDutySandbox } from "../../sandbox/pagerduty/server";
import type { SandboxOptions } from "../../sandbox/pagerduty/types";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { generateOrg } from "../../sandbox/scenarios/generate-org";
import type { Scenario } from "../../sandbox/scenarios/scenario";
import { NOW, configOf, count, minimumRequests, seconds, verdict } from "./common";

/** The sandbox both the new and the old way are measured against. */
export const HTTP_SANDBOX: SandboxOptions = { latencyMs: 100, rateLimitPerMinute: 960 };

const TARGET_SECONDS = 3;
const TARGET_RATIO = 1.1;

/** 2,000 people, 1,000 more PagerDuty users, 60 schedules (half v3) plus one configured but missing. */
export function generateHttpOrg(): Scenario {
  return generateOrg({
    people: 2000,
    extraPagerDutyUsers: 1000,
    schedules: 60,
    v3Share: 0.5,
    seed: 7,
    now: NOW,
  });
}

export interface FullAuditFigures {
  requests: number;
  minimum: number;
  wallMs: number;
}

export async function benchFullAudit(): Promise<FullAuditFigures> {
  const scenario = generateHttpOrg();
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, HTTP_SANDBOX);
  try {
    const config = configOf(scenario, sandbox.url);
    const roster = rosterOfScenario(scenario);
    const liveUsers = scenario.pagerduty.users.filter((u) => u.deleted_at === null).length;
    const v3 = scenario.pagerduty.schedules.filter((s) => s.kind === "v3").length;
    const client = createPagerDutyClientFromConfig(config.pagerduty, sandbox.token);
    const started = performance.now();
    const { report } = await runAudit({ config, roster, client, now: NOW });
    const wallMs = performance.now() - started;
    const stats = sandbox.stats();
    const minimum = minimumRequests(scenario.pagerduty, config, roster);
    const ratio = stats.requests / minimum;
    console.log(
      "Full audit over HTTP, sandbox latency %d ms, concurrency %d",
      HTTP_SANDBOX.latencyMs,
      config.pagerduty.concurrency,
    );
    console.log(
      "  org: %d people, %d live PagerDuty users, %d schedules configured (%d of the account's are v3)",
      roster.entries.length,
      liveUsers,
      new Set(config.rotations.flatMap((r) => r.schedules)).size,
      v3,
    );
    console.log("  complete: %s, findings: %d", report.complete, report.findings.length);
    console.log(
      "  requests made: %s, minimum: %s, ratio: %sx (target <= %sx: %s)",
      count(stats.requests),
      count(minimum),
      ratio.toFixed(3),
      TARGET_RATIO,
      verdict(ratio <= TARGET_RATIO),
    );
    console.log("  by route: %s", JSON.stringify(stats.byRoute));
    console.log(
      "  wall time: %s s (target <= %d s: %s)",
      seconds(wallMs),
      TARGET_SECONDS,
      verdict(wallMs <= TARGET_SECONDS * 1000),
    );
    return { requests: stats.requests, minimum, wallMs };
  } finally {
    await sandbox.stop();
  }
}
