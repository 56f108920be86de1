import { personKey } from "./check";
import type { Finding, FindingPerson } from "./types";

export interface PersonFindings {
  /** null groups the findings about a schedule itself (for example `schedule_not_found`). */
  person: FindingPerson | null;
  findings: Finding[];
}

/**
 * Groups findings per person, keeping the report's order: roster people and PagerDuty-only people by
 * name, then one group (person null) for findings that belong to no person.
 */
export function groupFindingsByPerson(findings: readonly Finding[]): PersonFindings[] {
  const groups = new Map<string, PersonFindings>();
  for (const finding of findings) {
    const key = finding.person ? personKey(finding.person) : "\u0000none";
    const group = groups.get(key) ?? { person: finding.person, findings: [] };
    group.findings.push(finding);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => Number(a.person === null) - Number(b.person === null));
}
