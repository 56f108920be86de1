/**
 * The old script's way, as a baseline for the full audit: the same org and sandbox (100 ms latency), read
 * one request at a time. Plain `fetch`, not the project's client: no concurrency, no rate limiter, no
 * retries, no validation, only the request pattern of the old Ruby script:
 *
 * 1. each configured schedule alone, `GET /schedules/{id}`; the old script knew only layer-based (v2)
 *    schedules, so PagerDuty's answer there for a shift-based one (400, "Use the v3 Schedules API"; 404
 *    for an ID it does not know) is followed by `GET /v3/schedules/{id}`, the least it would need to read
 *    the same shift-based schedules the new way reads;
 * 2. then `GET /users/{id}` (with contact methods and notification rules) for each roster person's
 *    PagerDuty ID, one after another, person by person (two people giving one ID are two requests).
 *
 * It reads no user list, so it never sees PagerDuty users outside the roster: it does less than the new
 * way, never more. Sequential at 100 ms a request it stays far below the sandbox's 960 per minute.
 */
import { ACCEPT_HEADER } from "../../lib/pagerduty/request";
import { startPagerDutySandbox } from "../../sandbox/pagerduty/server";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { USER_INCLUDES, configOf, count, rosterPagerDutyIds, seconds } from "./common";
import { HTTP_SANDBOX, generateHttpOrg, type FullAuditFigures } from "./full-audit";

/** `newWay`: the full audit's figures from this run, for the ratios. */
export async function benchOldWay(newWay: FullAuditFigures): Promise<void> {
  const scenario = generateHttpOrg();
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, HTTP_SANDBOX);
  try {
    const config = configOf(scenario, sandbox.url);
    const roster = rosterOfScenario(scenario);
    const scheduleIds = [...new Set(config.rotations.flatMap((r) => r.schedules))];
    const userIds = rosterPagerDutyIds(roster);
    const headers = { Authorization: `Token token=${sandbox.token}`, Accept: ACCEPT_HEADER };
    /** One GET, body read and parsed when it is a success, as the old script did; returns the status. */
    const get = async (path: string): Promise<number> => {
      const response = await fetch(`${sandbox.url}${path}`, { headers });
      const body = await response.text();
      if (response.ok) JSON.parse(body);
      return response.status;
    };

    const started = performance.now();
    for (const id of scheduleIds) {
      const path = encodeURIComponent(id);
      const status = await get(`/schedules/${path}`);
      if (status === 400 || status === 404) await get(`/v3/schedules/${path}`);
    }
    for (const id of userIds) await get(`/users/${encodeURIComponent(id)}?${USER_INCLUDES}`);
    const wallMs = performance.now() - started;
    const stats = sandbox.stats();

    console.log(
      "Old script's way (a baseline, no target): same org and sandbox (latency %d ms), one request at a time, plain fetch",
      HTTP_SANDBOX.latencyMs,
    );
    console.log(
      "  %d schedules one by one (v3 after a v2 400 or 404), then GET /users/{id} for %s roster people with an ID",
      scheduleIds.length,
      count(userIds.length),
    );
    console.log(
      "  requests made: %s (new way: %s), old/new: %sx",
      count(stats.requests),
      count(newWay.requests),
      (stats.requests / newWay.requests).toFixed(1),
    );
    console.log(
      "  by route: %s, by status: %s",
      JSON.stringify(stats.byRoute),
      JSON.stringify(stats.byStatus),
    );
    console.log(
      "  wall time: %s s (new way: %s s), old/new: %sx",
      seconds(wallMs),
      seconds(newWay.wallMs),
      (wallMs / newWay.wallMs).toFixed(0),
    );
  } finally {
    await sandbox.stop();
  }
}
