/**
 * Builders for checker tests: small, readable orgs. Test-only (imported by `*.test.ts` files), kept next to
 * the checker so the table tests and the property tests share one vocabulary.
 */
import type { AuditConfig } from "@/lib/config/schema";
import type { Roster, RosterPerson } from "@/lib/roster/schema";
import type { PagerDutySnapshot, PdSchedule, PdScheduleMember, PdUser } from "./types";

export const NOW = new Date("2026-11-24T12:00:00Z");
export const PAST = "2026-11-01T00:00:00Z";
export const FUTURE = "2027-01-01T00:00:00Z";

export function rosterOf(people: RosterPerson[]): Roster {
  return {
    source: "support-team.yaml",
    sha256: "0".repeat(64),
    entries: people.map((person, index) => ({
      person,
      location: { file: "support-team.yaml", index, line: null },
    })),
  };
}

export function personOf(
  name: string,
  options: { id?: string | null; rotations?: string[]; title?: string; region?: string; email?: string } = {},
): RosterPerson {
  const slug = name.toLowerCase().replace(/[^a-z]+/g, ".");
  return {
    name,
    email: options.email ?? `${slug}@example.com`,
    title: options.title ?? "Support Engineer",
    region: options.region ?? "AMER-E",
    reports_to: "Mia Manager",
    gitlab: { username: slug.replace(/\./g, "") },
    pagerduty:
      options.id === null
        ? { rotations: options.rotations ?? [] }
        : { id: options.id, rotations: options.rotations ?? [] },
  };
}

export function userOf(id: string, name: string, overrides: Partial<PdUser> = {}): PdUser {
  const slug = name.toLowerCase().replace(/[^a-z]+/g, ".");
  return {
    id,
    name,
    email: `${slug}@example.com`,
    deletedAt: null,
    invitationSent: false,
    contactMethodCount: 2,
    notificationRuleCount: 2,
    ...overrides,
  };
}

export function memberOf(userId: string, deletedAt: string | null = null): PdScheduleMember {
  return { userId, name: userId, deletedAt };
}

export function scheduleOf(
  id: string,
  periods: { end?: string | null; members: PdScheduleMember[] }[],
  kind: "v2" | "v3" = "v2",
): PdSchedule {
  return {
    id,
    name: `Schedule ${id}`,
    kind,
    htmlUrl: null,
    periods: periods.map((p, i) => ({
      id: `L${i}`,
      name: `Layer ${i}`,
      start: PAST,
      end: p.end ?? null,
      members: p.members,
    })),
  };
}

export function snapshotOf(partial: Partial<PagerDutySnapshot>): PagerDutySnapshot {
  return {
    fetchedAt: NOW.toISOString(),
    users: [],
    unknownUserIds: [],
    schedules: [],
    missingScheduleIds: [],
    failures: [],
    ...partial,
  };
}

export function configOf(rotations: AuditConfig["rotations"], exemptTitles = ["VP of Support"]): AuditConfig {
  return {
    roster: { path: "./support-team.yaml" },
    pagerduty: {
      url: "http://127.0.0.1:1",
      requests_per_minute: 900,
      concurrency: 8,
      timeout_ms: 1000,
      max_retries: 0,
    },
    exempt: { titles: exemptTitles },
    rotations,
  };
}
