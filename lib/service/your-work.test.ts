import { describe, expect, it } from "vitest";
import type { FindingCode } from "@/lib/audit/types";
import { toSessionUser } from "@/lib/auth/roles";
import type { RosterPerson } from "@/lib/roster/schema";
import type { ItemStatus } from "@/lib/workflow/types";
import { personRowOf } from "@/lib/testing/people";
import type { PersonItem, PersonRow } from "./findings";
import { teamViewOf, yourFindingsOf } from "./your-work";

function itemOf(
  id: string,
  code: FindingCode,
  status: ItemStatus,
  extra: Partial<PersonItem> = {},
): PersonItem {
  return {
    id,
    auditId: "a1",
    key: `${code}:${id}`,
    code,
    severity: "error",
    personKey: "chloe@example.com",
    personName: "Chloe Park",
    personEmail: "chloe@example.com",
    gitlabUsername: "cpark",
    managerName: "Hannah Lindqvist",
    region: "AMER-C",
    scheduleId: null,
    scheduleName: null,
    rotation: null,
    ownerName: null,
    personTimezone: "America/Chicago",
    managerTimezone: "America/Chicago",
    managerRegion: "AMER-C",
    message: "",
    evidence: {},
    state: status === "fixed" || status === "waived" || status === "intentional" ? status : "open",
    stateChangedAt: "2026-11-20T09:00:00.000Z",
    waivedUntil: null,
    repliedAt: null,
    justification: null,
    firstSeenRunId: "r1",
    lastSeenRunId: "r1",
    recurred: false,
    createdAt: "2026-11-20T09:00:00.000Z",
    status,
    owner: null,
    ownerTask: null,
    pagerdutyLinks: { schedule: null, user: null },
    resolution: null,
    nextAction: status === "open" ? "ping" : null,
    dueAt: null,
    overdue: false,
    ...extra,
  };
}

describe("a person's own findings", () => {
  it("what to do for each open one, the line to copy, rotation names; addressed ones counted, owners' left out", () => {
    const { open, addressed } = yourFindingsOf(
      [
        itemOf("1", "missing_pagerduty_id", "open", {
          evidence: { roster_email: "chloe@example.com", suggested_pagerduty_id: "PTSLGYU" },
        }),
        itemOf("2", "missing_from_schedule", "pinged", {
          rotation: "ceoc-amer",
          evidence: { schedules: ["P1"] },
        }),
        itemOf("3", "not_pageable", "fixed", { evidence: { contact_methods: 0, notification_rules: 0 } }),
        itemOf("4", "deleted_user_in_schedule", "open", { owner: "Support Operations" }),
      ],
      new Map([["ceoc-amer", "CEOC AMER"]]),
    );
    expect(addressed).toBe(1);
    expect(open.map((f) => [f.id, f.title, f.copy, f.zone])).toEqual([
      ["1", "No PagerDuty ID in the roster", "pagerduty.id: PTSLGYU", "America/Chicago"],
      ["2", "In a rotation, missing from its schedules (CEOC AMER)", null, "America/Chicago"],
    ]);
    expect(open[0]?.task).toMatch(/^Your roster entry has no PagerDuty ID\. Set `pagerduty\.id: PTSLGYU`/);
    expect(open[1]?.task).toMatch(/^The roster puts you in the CEOC AMER rotation/);
  });

  it("nothing open when everything is addressed", () => {
    expect(yourFindingsOf([itemOf("1", "invitation_pending", "waived")], new Map())).toEqual({
      open: [],
      addressed: 1,
    });
  });
});

const person = (name: string, reportsTo: string | null, title = "Support Engineer"): RosterPerson => ({
  name,
  email: `${name.split(" ")[0]?.toLowerCase()}@example.com`,
  title,
  reports_to: reportsTo,
});

const ROSTER: RosterPerson[] = [
  person("Rebecca Stone", null, "Director of Support"),
  person("Hannah Lindqvist", "Rebecca Stone", "Support Engineering Manager"),
  person("Chloe Park", "Hannah Lindqvist"),
  person("Sean Murray", "Hannah Lindqvist"),
  person("Maya Patel", "Hannah Lindqvist"),
  person("Tomas Alvarez", "Hannah Lindqvist"),
  person("Diego Fuentes", "Rebecca Stone", "Support Engineering Manager"),
  person("Kevin Obrien", "Diego Fuentes"),
];

function rowOf(name: string, extra: Partial<PersonRow> = {}): PersonRow {
  const key = `${name.split(" ")[0]?.toLowerCase()}@example.com`;
  return personRowOf({
    personKey: key,
    name,
    email: key,
    gitlab: null,
    pagerdutyIds: [],
    region: null,
    manager: null,
    codes: ["missing_pagerduty_id"],
    ...extra,
  });
}

describe("a manager's team", () => {
  const hannah = toSessionUser(ROSTER[1] as RosterPerson, ROSTER);
  const rows = [
    rowOf("Chloe Park"),
    rowOf("Sean Murray", {
      status: "follow_up_due",
      nextAction: "escalate",
      dueAt: "2026-11-22T09:00:00.000Z",
      overdue: true,
    }),
    rowOf("Tomas Alvarez", { status: null, statuses: ["fixed"], nextAction: null }),
    rowOf("Kevin Obrien"),
    rowOf("Hannah Lindqvist"),
  ];

  it("their reports only, overdue first and addressed last, with what they may do", () => {
    expect(hannah.role).toBe("manager");
    const team = teamViewOf(hannah, rows, ROSTER, true);
    expect(team).toMatchObject({ reports: 4, overdue: 1, addressed: 1 });
    expect(team.rows.map((row) => [row.name, row.mayDo])).toEqual([
      ["Sean Murray", ["Escalate", "Mark intentional or waive"]],
      ["Chloe Park", ["Ping", "Mark intentional or waive"]],
      ["Tomas Alvarez", []],
    ]);
  });

  it("nothing to do on a signed-off audit", () => {
    expect(teamViewOf(hannah, rows, ROSTER, false).rows.every((row) => row.mayDo.length === 0)).toBe(true);
  });

  it("a member manages nobody: an empty team", () => {
    const chloe = toSessionUser(ROSTER[2] as RosterPerson, ROSTER);
    expect(teamViewOf(chloe, rows, ROSTER, true)).toEqual({ rows: [], reports: 0, overdue: 0, addressed: 0 });
  });

  it("the director sees the managers' reports too, and may act on them", () => {
    const rebecca = toSessionUser(ROSTER[0] as RosterPerson, ROSTER);
    const team = teamViewOf(rebecca, rows, ROSTER, true);
    expect(team.reports).toBe(7);
    expect(team.rows.map((row) => row.name)).toEqual([
      "Sean Murray",
      "Chloe Park",
      "Hannah Lindqvist",
      "Kevin Obrien",
      "Tomas Alvarez",
    ]);
    expect(team.rows.find((row) => row.name === "Kevin Obrien")?.mayDo).toContain("Ping");
  });
});
