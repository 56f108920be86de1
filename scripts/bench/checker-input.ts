/**
 * The checker benches' input: a generated org of `people` (half as many PagerDuty users again, outside the
 * roster) against `schedules` schedules, half of them shift-based, read into the config, roster and
 * snapshot the checker takes. The timing bench and the report hashes use the same org, so a hash vouches for
 * what was timed.
 */
import type { AuditConfig } from "../../lib/config/schema";
import type { PagerDutySnapshot } from "../../lib/audit/types";
import type { Roster } from "../../lib/roster/schema";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { generateOrg } from "../../sandbox/scenarios/generate-org";
import { snapshotOfState } from "../../sandbox/scenarios/snapshot-of-state";
import { NOW, configOf, rosterPagerDutyIds } from "./common";

export function checkerInput(
  people: number,
  schedules: number,
): { config: AuditConfig; roster: Roster; snapshot: PagerDutySnapshot } {
  const scenario = generateOrg({
    people,
    extraPagerDutyUsers: Math.round(people / 2),
    schedules,
    v3Share: 0.5,
    seed: 11,
    now: NOW,
  });
  const config = configOf(scenario, "http://127.0.0.1:1");
  const roster = rosterOfScenario(scenario);
  const snapshot = snapshotOfState(scenario.pagerduty, {
    scheduleIds: config.rotations.flatMap((r) => r.schedules),
    rosterUserIds: rosterPagerDutyIds(roster),
    fetchedAt: NOW,
  });
  return { config, roster, snapshot };
}
