/**
 * Accounts past PagerDuty's 10,000-record pagination limit: a full audit over HTTP of an account with
 * 12,000 users, against the sandbox PagerDuty at 100 ms latency (refusing offset + limit past 10,000 as
 * PagerDuty does), once with a 2,000-person roster (the client lists the first 10,000 users) and once with
 * a 100-person roster (it lists only the first page and reads the rest by ID and email). Each run: the
 * report against a whole-list read of the same account, requests against the minimum for the path taken
 * and for the other one, wall time. Targets: the same report, ≤ 1.1× the minimum of the path taken.
 */
import { createPagerDutyClientFromConfig } from "../../lib/pagerduty/client";
import { usersToListPastLimit } from "../../lib/pagerduty/snapshot";
import { runAudit } from "../../lib/runner/run-audit";
import { startPagerDutySandbox } from "../../sandbox/pagerduty/server";
import { auditScenario, rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { generateOrg } from "../../sandbox/scenarios/generate-org";
import {
  NOW,
  configOf,
  count,
  minimumRequestsPastLimit,
  rosterPagerDutyIds,
  seconds,
  verdict,
} from "./common";
import { HTTP_SANDBOX } from "./full-audit";

const TARGET_RATIO = 1.1;
const ACCOUNT_USERS = 12_000;

/** True when every target was met. */
export async function benchPastLimit(): Promise<boolean> {
  console.log(
    "Accounts past PagerDuty's 10,000-user pagination limit, over HTTP, sandbox latency %d ms",
    HTTP_SANDBOX.latencyMs,
  );
  let met = true;
  for (const people of [2000, 100]) met = (await benchOne(people)) && met;
  return met;
}

async function benchOne(people: number): Promise<boolean> {
  const scenario = generateOrg({
    people,
    pagerDutyUsers: ACCOUNT_USERS,
    extraPagerDutyUsers: 0,
    schedules: 60,
    v3Share: 0.5,
    seed: 7,
    now: NOW,
  });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, HTTP_SANDBOX);
  try {
    const config = configOf(scenario, sandbox.url);
    const roster = rosterOfScenario(scenario);
    const live = scenario.pagerduty.users.filter((u) => u.deleted_at === null).length;
    const rosterIds = new Set(rosterPagerDutyIds(roster)).size;
    const listed = usersToListPastLimit(live, rosterIds);
    const client = createPagerDutyClientFromConfig(config.pagerduty, sandbox.token);
    const started = performance.now();
    const { report } = await runAudit({ config, roster, client, now: NOW });
    const wallMs = performance.now() - started;
    const stats = sandbox.stats();
    const same = JSON.stringify(report) === JSON.stringify(auditScenario(scenario, NOW));
    const minimum = minimumRequestsPastLimit(scenario.pagerduty, config, roster, listed);
    const other = minimumRequestsPastLimit(scenario.pagerduty, config, roster, listed > 0 ? 0 : 10_000);
    const ratio = stats.requests / minimum;
    console.log(
      "  org: %s people (%s PagerDuty IDs), %s PagerDuty users (%s live), %d schedules configured",
      count(roster.entries.length),
      count(rosterIds),
      count(scenario.pagerduty.users.length),
      count(live),
      new Set(config.rotations.flatMap((r) => r.schedules)).size,
    );
    console.log(
      "    path: %s",
      listed > 0
        ? "list the first 10,000 users, then the rest by ID and email"
        : "first page, then by ID and email",
    );
    console.log(
      "    complete: %s, findings: %d, report equal to a whole-list read: %s",
      report.complete,
      report.findings.length,
      verdict(same),
    );
    console.log(
      "    requests made: %s, minimum for this path: %s, ratio: %sx (target <= %sx: %s); the other path's minimum: %s",
      count(stats.requests),
      count(minimum),
      ratio.toFixed(3),
      TARGET_RATIO,
      verdict(ratio <= TARGET_RATIO),
      count(other),
    );
    console.log("    by route: %s", JSON.stringify(stats.byRoute));
    console.log("    wall time: %s s", seconds(wallMs));
    return same && report.complete && ratio <= TARGET_RATIO;
  } finally {
    await sandbox.stop();
  }
}
