/**
 * The full audit under PagerDuty's real rate limit: an org that needs more than 960 requests, against a
 * sandbox that enforces 960 requests per rolling minute per token (and answers 429 beyond), at low latency
 * so the limit, not latency, is what binds. The client is set up as the CLI sets it up, from the audit
 * config (`pagerduty.requests_per_minute`, default 900; `--rpm` overrides it). Targets: the audit is
 * complete, no 429 escapes to it, and no rolling minute holds more than 960 requests.
 */
import { createPagerDutyClientFromConfig } from "../../lib/pagerduty/client";
import { runAudit } from "../../lib/runner/run-audit";
import { startPagerDutySandbox } from "../../sandbox/pagerduty/server";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { generateOrg } from "../../sandbox/scenarios/generate-org";
import { NOW, configOf, count, minimumRequests, seconds, verdict } from "./common";

const LIMIT_PER_MINUTE = 960;
const LATENCY_MS = 5;
/** Its own token, so the process-wide limiter of the other sections' sandboxes is never shared. */
const TOKEN = "bench-rate-limit-token";

/** True when every target was met. `requestsPerMinute` overrides the config's setting. */
export async function benchRateLimit(requestsPerMinute?: number): Promise<boolean> {
  // About 7,400 users (75 pages), 900 schedules (half v3) and a few lookups: just over 1,000 requests.
  const scenario = generateOrg({
    people: 5000,
    extraPagerDutyUsers: 2500,
    schedules: 900,
    v3Share: 0.5,
    seed: 13,
    now: NOW,
  });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {
    token: TOKEN,
    latencyMs: LATENCY_MS,
    rateLimitPerMinute: LIMIT_PER_MINUTE,
  });
  try {
    const written = configOf(scenario, sandbox.url);
    const config =
      requestsPerMinute === undefined
        ? written
        : { ...written, pagerduty: { ...written.pagerduty, requests_per_minute: requestsPerMinute } };
    const roster = rosterOfScenario(scenario);
    const minimum = minimumRequests(scenario.pagerduty, config, roster);
    console.log(
      "Full audit under the rate limit: sandbox enforcing %d requests/minute, latency %d ms",
      LIMIT_PER_MINUTE,
      LATENCY_MS,
    );
    console.log(
      "  client: requests_per_minute %d (%s), concurrency %d, max_retries %d",
      config.pagerduty.requests_per_minute,
      requestsPerMinute === undefined ? "config default" : "--rpm",
      config.pagerduty.concurrency,
      config.pagerduty.max_retries,
    );
    console.log(
      "  org: %s people, %s PagerDuty users, %d schedules configured; minimum requests: %s (> %d)",
      count(roster.entries.length),
      count(scenario.pagerduty.users.length),
      new Set(config.rotations.flatMap((r) => r.schedules)).size,
      count(minimum),
      LIMIT_PER_MINUTE,
    );

    const client = createPagerDutyClientFromConfig(config.pagerduty, sandbox.token);
    const started = performance.now();
    let complete = false;
    let escaped = 0;
    try {
      const { report, snapshot } = await runAudit({ config, roster, client, now: NOW });
      complete = report.complete;
      // A 429 that outlived the retries lands in the snapshot as a failed read.
      escaped = snapshot.failures.filter((f) => /\b429\b/.test(f.message)).length;
      if (snapshot.failures.length > 0)
        console.log("  failed reads: %s", snapshot.failures.map((f) => f.message).join(" | "));
    } catch (error) {
      console.log("  the audit failed: %s", error instanceof Error ? error.message : String(error));
      escaped = Number.NaN;
    }
    const wallMs = performance.now() - started;
    const stats = sandbox.stats();

    console.log("  complete: %s (target: true: %s)", complete, verdict(complete));
    console.log("  requests made: %s, wall time: %s s", count(stats.requests), seconds(wallMs));
    console.log(
      "  429s sent by the sandbox: %d; escaped to the audit: %s (target 0: %s)",
      stats.rateLimited,
      Number.isNaN(escaped) ? "unknown" : escaped,
      verdict(escaped === 0),
    );
    // The sandbox never serves more than its limit, so the target is on what the client attempted.
    const paced = stats.maxAttemptedPerMinute <= LIMIT_PER_MINUTE;
    console.log(
      "  max requests in any rolling minute: %d attempted, %d served (target <= %d: %s)",
      stats.maxAttemptedPerMinute,
      stats.maxPerMinute,
      LIMIT_PER_MINUTE,
      verdict(paced),
    );
    return complete && escaped === 0 && paced;
  } finally {
    await sandbox.stop();
  }
}
