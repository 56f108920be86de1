import { checkAudit } from "@/lib/audit/check";
import type { AuditReport } from "@/lib/audit/types";
import { AuditConfigSchema } from "@/lib/config/schema";
import type { Roster } from "@/lib/roster/schema";
import type { Scenario } from "./scenario";
import { snapshotOfState } from "./snapshot-of-state";

/** The scenario's roster as the loader would give it (entries in file order). */
export function rosterOfScenario(scenario: Scenario): Roster {
  return {
    source: "scenario",
    sha256: "",
    entries: scenario.roster.map((person, index) => ({
      person,
      location: { file: "scenario", index, line: null },
    })),
  };
}

/**
 * Runs the real checker on a scenario without HTTP (a flawless read of its PagerDuty state). For tests and
 * benchmarks of the data and the checker; the HTTP path is covered by the client and CLI tests.
 */
export function auditScenario(scenario: Scenario, now: Date): AuditReport {
  const config = AuditConfigSchema.parse(scenario.config);
  const roster = rosterOfScenario(scenario);
  const snapshot = snapshotOfState(scenario.pagerduty, {
    scheduleIds: config.rotations.flatMap((r) => r.schedules),
    rosterUserIds: roster.entries.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : [])),
    fetchedAt: now,
  });
  return checkAudit({ roster, snapshot, config, now });
}
