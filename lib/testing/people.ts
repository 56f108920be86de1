/** Test-only: a findings-table row (one person) with plain defaults, for tests of what is made of rows. */
import type { PersonRow } from "@/lib/service/findings";

/** Amara Okafor with one open `missing_from_schedule` finding, nothing sent yet; `overrides` change any field. */
export function personRowOf(overrides: Partial<PersonRow> = {}): PersonRow {
  return {
    personKey: "amara@example.com",
    name: "Amara Okafor",
    email: "amara@example.com",
    gitlab: "aokafor",
    pagerdutyIds: ["PAMARA1"],
    region: "EMEA",
    manager: "Sofia Reyes",
    inRoster: true,
    codes: ["missing_from_schedule"],
    items: 1,
    status: "open",
    statuses: ["open"],
    nextAction: "ping",
    dueAt: null,
    overdue: false,
    lastPingAt: null,
    owner: null,
    ...overrides,
  };
}
