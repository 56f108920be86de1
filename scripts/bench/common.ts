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
 * The PagerDuty user IDs an audit must know about: the roster's, and the members of the configured
 * schedules (v2 members marked deleted need no lookup: the schedule says so).
 */
function referencedUserIds(state: PagerDutyState, config: AuditConfig, roster: Roster): Set<string> {
  const configured = new Set(config.rotations.flatMap((r) => r.schedules));
  const deleted = new Set(state.users.filter((u) => u.deleted_at !== null).map((u) => u.id));
  const referenced = new Set<string>(rosterPagerDutyIds(roster));
  for (const schedule of state.schedules) {
    if (!configured.has(schedule.id)) continue;
    if (schedule.kind === "v2") {
      for (const id of schedule.layers.flatMap((l) => l.user_ids)) if (!deleted.has(id)) referenced.add(id);
    } else {
      for (const id of schedule.rotations.flatMap((r) => r.events.flatMap((e) => e.member_user_ids)))
        if (id) referenced.add(id);
    }
  }
  return referenced;
}

/** `include[]` as the project's client sends it on user reads. */
export const USER_INCLUDES = "include%5B%5D=contact_methods&include%5B%5D=notification_rules";

/**
 * The fewest requests any client needs, as paths with their query: every page of the user list, one read per configured
 * schedule (on its own API; one 404 for an ID the account lacks), and one lookup per referenced user ID
 * the list lacks (schedule members a v2 layer already shows as deleted need none). Telling v2 from v3
 * schedules and double-checking missing ones is our overhead.
 */
export function minimumRequestList(state: PagerDutyState, config: AuditConfig, roster: Roster): string[] {
  const live = new Set(state.users.filter((u) => u.deleted_at === null).map((u) => u.id));
  const kinds = new Map(state.schedules.map((s) => [s.id, s.kind]));
  const configured = new Set(config.rotations.flatMap((r) => r.schedules));
  const referenced = referencedUserIds(state, config, roster);
  const pages = Math.max(1, Math.ceil(live.size / PAGE));
  return [
    ...Array.from(
      { length: pages },
      (_, page) =>
        `/users?${USER_INCLUDES}&limit=${PAGE}&offset=${page * PAGE}${page === 0 ? "&total=true" : ""}`,
    ),
    ...[...configured].map(
      (id) => `${kinds.get(id) === "v3" ? "/v3/schedules" : "/schedules"}/${encodeURIComponent(id)}`,
    ),
    ...[...referenced]
      .filter((id) => !live.has(id))
      .map((id) => `/users/${encodeURIComponent(id)}?${USER_INCLUDES}`),
  ];
}

/** How many requests `minimumRequestList` makes. */
export function minimumRequests(state: PagerDutyState, config: AuditConfig, roster: Roster): number {
  return minimumRequestList(state, config, roster).length;
}

/**
 * The fewest requests for an account past PagerDuty's 10,000-record pagination limit when the client lists
 * its first `listed` users (whole pages): those pages, one read per configured schedule, one lookup per
 * referenced user ID neither listed nor returned by an email query (as `minimumRequests` counts them), and
 * one email query per distinct roster email that no live user listed or named by the roster has. The sandbox lists users in state
 * order.
 */
export function minimumRequestsPastLimit(
  state: PagerDutyState,
  config: AuditConfig,
  roster: Roster,
  listed: number,
): number {
  const liveUsers = state.users.filter((u) => u.deleted_at === null);
  const pages = Math.max(1, Math.ceil(listed / PAGE));
  const window = new Set(liveUsers.slice(0, pages * PAGE).map((u) => u.id));
  const configured = new Set(config.rotations.flatMap((r) => r.schedules));
  const referenced = referencedUserIds(state, config, roster);
  const rosterIds = new Set(rosterPagerDutyIds(roster));
  const emailOf = (u: { email: string }) => u.email.trim().toLowerCase();
  const known = new Set(liveUsers.filter((u) => window.has(u.id) || rosterIds.has(u.id)).map(emailOf));
  const queried = new Set(roster.entries.map((e) => emailOf(e.person)).filter((email) => !known.has(email)));
  // A schedule member an email query returned needs no lookup.
  const found = new Set(liveUsers.filter((u) => queried.has(emailOf(u))).map((u) => u.id));
  const lookups = [...referenced].filter((id) => !window.has(id) && !found.has(id)).length;
  return pages + configured.size + lookups + queried.size;
}

/** `ok` or `MISSED`, printed after a figure's target. */
export function verdict(met: boolean): string {
  return met ? "ok" : "MISSED";
}

export const count = (n: number): string => n.toLocaleString("en-US");
export const seconds = (ms: number): string => (ms / 1000).toFixed(2);
