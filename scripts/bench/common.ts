/** What the bench sections share: the audit's moment, config and roster helpers, the request minimum. */
import type { AuditConfig } from "../../lib/config/schema";
import { AuditConfigSchema } from "../../lib/config/schema";
import type { Roster } from "../../lib/roster/schema";
import type { PagerDutyState } from "../../sandbox/pagerduty/types";
import type { Scenario } from "../../sandbox/scenarios/scenario";

export const NOW = new Date("2026-11-24T12:00:00Z");
/** Users per page of `GET /users` (the client asks for PagerDuty's maximum). */
const PAGE = 100;

/** The scenario's audit config pointed at `url`, defaults filled in as the CLI would. */
export function configOf(scenario: Scenario, url: string): AuditConfig {
  return AuditConfigSchema.parse({ ...scenario.config, pagerduty: { ...scenario.config.pagerduty, url } });
}

/** The PagerDuty user IDs the roster gives, one per person who has one (duplicates kept). */
export function rosterPagerDutyIds(roster: Roster): string[] {
  return roster.entries.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : []));
}

/**
 * The fewest requests any client needs: every page of the user list, one read per configured schedule,
 * and one lookup per referenced user ID the list lacks (schedule members a v2 layer already shows as
 * deleted need none). Telling v2 from v3 schedules and double-checking missing ones is our overhead.
 */
export function minimumRequests(state: PagerDutyState, config: AuditConfig, roster: Roster): number {
  const live = new Set(state.users.filter((u) => u.deleted_at === null).map((u) => u.id));
  const configured = new Set(config.rotations.flatMap((r) => r.schedules));
  const referenced = new Set<string>(rosterPagerDutyIds(roster));
  const deleted = new Set(state.users.filter((u) => u.deleted_at !== null).map((u) => u.id));
  for (const schedule of state.schedules) {
    if (!configured.has(schedule.id)) continue;
    if (schedule.kind === "v2") {
      for (const id of schedule.layers.flatMap((l) => l.user_ids)) if (!deleted.has(id)) referenced.add(id);
    } else {
      for (const id of schedule.rotations.flatMap((r) => r.events.flatMap((e) => e.member_user_ids)))
        if (id) referenced.add(id);
    }
  }
  const lookups = [...referenced].filter((id) => !live.has(id)).length;
  return Math.max(1, Math.ceil(live.size / PAGE)) + configured.size + lookups;
}

/** `ok` or `MISSED`, printed after a figure's target. */
export function verdict(met: boolean): string {
  return met ? "ok" : "MISSED";
}

export const count = (n: number): string => n.toLocaleString("en-US");
export const seconds = (ms: number): string => (ms / 1000).toFixed(2);
