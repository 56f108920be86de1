import { describe, expect, it } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import { checkAudit } from "./check";
import {
  FUTURE,
  NOW,
  PAST,
  configOf,
  memberOf,
  personOf,
  rosterOf,
  scheduleOf,
  snapshotOf,
  userOf,
} from "./testing";
import type { FindingCode, PagerDutySnapshot } from "./types";

/**
 * The base org is clean: Alice and Bob are in the CEOC rotation (PCEOC01 / PCEOC02), Mia is the EMEA
 * manager on the SMOC schedule, Vera is the VP of Support (exempt) and sits on PCEOC01 anyway.
 */
function baseOrg() {
  const people: RosterPerson[] = [
    personOf("Alice Adams", { id: "PALICE1", rotations: ["ceoc"] }),
    personOf("Bob Brown", { id: "PBOB001", rotations: ["ceoc"] }),
    personOf("Mia Manager", { id: "PMIA001", title: "Support Manager", region: "EMEA" }),
    personOf("Vera Vp", { id: "PVERA01", title: "VP of Support" }),
  ];
  const snapshot: PagerDutySnapshot = snapshotOf({
    users: [
      userOf("PALICE1", "Alice Adams"),
      userOf("PBOB001", "Bob Brown"),
      userOf("PMIA001", "Mia Manager"),
      userOf("PVERA01", "Vera Vp"),
    ],
    schedules: [
      scheduleOf("PCEOC01", [{ members: [memberOf("PALICE1"), memberOf("PVERA01")] }]),
      scheduleOf("PCEOC02", [{ members: [memberOf("PBOB001")] }], "v3"),
      scheduleOf("PSMOC01", [{ members: [memberOf("PMIA001")] }]),
    ],
  });
  const config = configOf([
    {
      id: "ceoc",
      name: "CEOC",
      schedules: ["PCEOC01", "PCEOC02"],
      members: { field: "pagerduty.rotations" },
    },
    {
      id: "smoc",
      name: "SMOC EMEA",
      schedules: ["PSMOC01"],
      members: { where: { title: "Manager", region: "EMEA" } },
    },
  ]);
  return { people, snapshot, config };
}

type Org = ReturnType<typeof baseOrg>;

interface Case {
  name: string;
  change: (org: Org) => void;
  /** `code person-name schedule-id|-` for each expected finding, in any order. */
  expected: string[];
  complete?: boolean;
  /** Each failure (`kind id|-`) and the codes its report error says it withheld, in any order. */
  withheld?: Record<string, FindingCode[]>;
}

const person = (org: Org, name: string): RosterPerson => {
  const found = org.people.find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} in the test org`);
  return found;
};
const schedule = (org: Org, id: string) => {
  const found = org.snapshot.schedules.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id} in the test org`);
  return found;
};
const user = (org: Org, id: string) => {
  const found = org.snapshot.users.find((u) => u.id === id);
  if (!found) throw new Error(`no ${id} in the test org`);
  return found;
};

const CASES: Case[] = [
  { name: "a clean org has no findings", change: () => {}, expected: [] },
  {
    name: "no PagerDuty ID; joined by email so no schedule finding",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { rotations: ["ceoc"] };
    },
    expected: ["missing_pagerduty_id Alice Adams -"],
  },
  {
    name: "no PagerDuty ID; joined by an email PagerDuty writes in capitals and with spaces",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { rotations: ["ceoc"] };
      org.snapshot.users.find((u) => u.id === "PALICE1")!.email = " Alice.Adams@Example.COM ";
    },
    expected: ["missing_pagerduty_id Alice Adams -"],
  },
  {
    name: "an email that differs from PagerDuty's only in case is no mismatch",
    change: (org) => {
      org.snapshot.users.find((u) => u.id === "PALICE1")!.email = "ALICE.ADAMS@example.com";
    },
    expected: [],
  },
  {
    name: "no PagerDuty ID and no PagerDuty user: also missing from the rotation",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { rotations: ["ceoc"] };
      org.snapshot.users = org.snapshot.users.filter((u) => u.id !== "PALICE1");
      schedule(org, "PCEOC01").periods[0]!.members = [memberOf("PVERA01")];
    },
    expected: ["missing_pagerduty_id Alice Adams -", "missing_from_schedule Alice Adams -"],
  },
  {
    name: "an unknown ID is reported once; her real account (same email) still counts on the schedule",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { id: "PNOPE01", rotations: ["ceoc"] };
      org.snapshot.unknownUserIds = ["PNOPE01"];
    },
    expected: ["unknown_pagerduty_id Alice Adams -"],
  },
  {
    name: "two entries sharing one ID are both reported; the wrong owner's email differs",
    change: (org) => {
      person(org, "Bob Brown").pagerduty = { id: "PALICE1", rotations: ["ceoc"] };
    },
    expected: [
      "duplicate_pagerduty_id Alice Adams -",
      "duplicate_pagerduty_id Bob Brown -",
      "email_mismatch Bob Brown -",
    ],
  },
  {
    name: "two entries sharing an ID PagerDuty does not know are both reported, as unknown and as shared",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { id: "PNOPE01", rotations: ["ceoc"] };
      person(org, "Bob Brown").pagerduty = { id: "PNOPE01", rotations: ["ceoc"] };
      org.snapshot.unknownUserIds = ["PNOPE01"];
    },
    expected: [
      "unknown_pagerduty_id Alice Adams -",
      "duplicate_pagerduty_id Alice Adams -",
      "unknown_pagerduty_id Bob Brown -",
      "duplicate_pagerduty_id Bob Brown -",
    ],
  },
  {
    name: "in a rotation but on none of its schedules",
    change: (org) => {
      schedule(org, "PCEOC02").periods[0]!.members = [];
    },
    expected: ["missing_from_schedule Bob Brown -"],
  },
  {
    name: "on a schedule the roster does not put them on",
    change: (org) => {
      org.people.push(personOf("Carl Clark", { id: "PCARL01" }));
      org.snapshot.users.push(userOf("PCARL01", "Carl Clark"));
      schedule(org, "PCEOC01").periods[0]!.members.push(memberOf("PCARL01"));
    },
    expected: ["unexpected_in_schedule Carl Clark PCEOC01"],
  },
  {
    name: "a schedule member that matches no roster entry",
    change: (org) => {
      org.snapshot.users.push(userOf("PGONE01", "Gone Person"));
      schedule(org, "PCEOC02").periods[0]!.members.push(memberOf("PGONE01"));
    },
    expected: ["not_in_roster Gone Person PCEOC02"],
  },
  {
    name: "a deleted user still on a schedule",
    change: (org) => {
      schedule(org, "PCEOC02").periods[0]!.members.push(memberOf("PDEL001", "2026-06-01T00:00:00Z"));
      org.snapshot.unknownUserIds = ["PDEL001"];
    },
    expected: ["deleted_user_in_schedule PDEL001 PCEOC02"],
  },
  {
    name: "a shift-based schedule member PagerDuty no longer knows is a deleted user, not a stranger",
    change: (org) => {
      schedule(org, "PCEOC02").periods[0]!.members.push(memberOf("PGONE02"));
      org.snapshot.unknownUserIds = ["PGONE02"];
    },
    expected: ["deleted_user_in_schedule PGONE02 PCEOC02"],
  },
  {
    name: "a rotation member without contact methods or notification rules",
    change: (org) => {
      user(org, "PALICE1").contactMethodCount = 0;
      user(org, "PBOB001").notificationRuleCount = 0;
    },
    expected: ["not_pageable Alice Adams -", "not_pageable Bob Brown -"],
  },
  {
    name: "a pending invitation",
    change: (org) => {
      user(org, "PMIA001").invitationSent = true;
    },
    expected: ["invitation_pending Mia Manager -"],
  },
  {
    name: "someone not in any rotation is not checked for pageability",
    change: (org) => {
      org.people.push(personOf("Dan Desk", { id: "PDAN001" }));
      org.snapshot.users.push(userOf("PDAN001", "Dan Desk", { contactMethodCount: 0, invitationSent: true }));
    },
    expected: [],
  },
  {
    name: "a configured schedule that exists nowhere",
    change: (org) => {
      org.config.rotations[0]!.schedules.push("PMISS01");
      org.snapshot.missingScheduleIds = ["PMISS01"];
    },
    expected: ["schedule_not_found - PMISS01"],
  },
  {
    name: "a layer that ended has no members; one that ends later does",
    change: (org) => {
      schedule(org, "PCEOC02").periods = scheduleOf("PCEOC02", [
        { end: PAST, members: [memberOf("PBOB001")] },
      ]).periods;
      schedule(org, "PCEOC01").periods = scheduleOf("PCEOC01", [
        { end: FUTURE, members: [memberOf("PALICE1")] },
        { end: PAST, members: [memberOf("PGHOST1")] },
      ]).periods;
    },
    expected: ["missing_from_schedule Bob Brown -"],
  },
  {
    name: "the VP of Support is skipped, with or without an ID, on or off schedules",
    change: (org) => {
      person(org, "Vera Vp").pagerduty = null;
      person(org, "Vera Vp").title = "vp of support";
    },
    expected: [],
  },
  {
    name: "a where-rule rotation: the EMEA manager missing, an AMER manager unexpected",
    change: (org) => {
      org.people.push(personOf("Sam Lead", { id: "PSAM001", title: "Support Manager", region: "AMER-W" }));
      org.snapshot.users.push(userOf("PSAM001", "Sam Lead"));
      schedule(org, "PSMOC01").periods[0]!.members = [memberOf("PSAM001")];
    },
    expected: ["missing_from_schedule Mia Manager -", "unexpected_in_schedule Sam Lead PSMOC01"],
  },
  {
    name: "a second PagerDuty account with the roster email is the same person",
    change: (org) => {
      org.snapshot.users.push(userOf("PALT001", "Alice Adams"));
      schedule(org, "PCEOC02").periods[0]!.members.push(memberOf("PALT001"));
    },
    expected: [],
  },
  {
    name: "a schedule that failed to load withholds what depends on it",
    change: (org) => {
      org.snapshot.schedules = org.snapshot.schedules.filter((s) => s.id !== "PCEOC02");
      org.snapshot.failures = [{ kind: "schedule", scheduleId: "PCEOC02", message: "HTTP 503" }];
    },
    expected: [],
    complete: false,
    // Bob is on no other CEOC schedule, Mia is not in CEOC; everyone is in a rotation already.
    withheld: {
      "schedule PCEOC02": [
        "missing_from_schedule",
        "unexpected_in_schedule",
        "not_in_roster",
        "deleted_user_in_schedule",
        "schedule_not_found",
      ],
    },
  },
  {
    name: "a failed schedule withholds no missing_from_schedule when every member is on another one",
    change: (org) => {
      schedule(org, "PCEOC01").periods[0]!.members.push(memberOf("PBOB001"));
      org.snapshot.schedules = org.snapshot.schedules.filter((s) => s.id !== "PCEOC02");
      org.snapshot.failures = [{ kind: "schedule", scheduleId: "PCEOC02", message: "HTTP 503" }];
    },
    expected: [],
    complete: false,
    withheld: {
      "schedule PCEOC02": [
        "unexpected_in_schedule",
        "not_in_roster",
        "deleted_user_in_schedule",
        "schedule_not_found",
      ],
    },
  },
  {
    name: "a failed schedule withholds pageability of someone in no rotation, who might be on it",
    change: (org) => {
      org.people.push(personOf("Dan Desk", { id: "PDAN001" }));
      org.snapshot.users.push(userOf("PDAN001", "Dan Desk", { contactMethodCount: 0 }));
      schedule(org, "PCEOC01").periods[0]!.members.push(memberOf("PBOB001"));
      org.snapshot.schedules = org.snapshot.schedules.filter((s) => s.id !== "PCEOC02");
      org.snapshot.failures = [{ kind: "schedule", scheduleId: "PCEOC02", message: "HTTP 503" }];
    },
    expected: [],
    complete: false,
    withheld: {
      "schedule PCEOC02": [
        "unexpected_in_schedule",
        "not_in_roster",
        "deleted_user_in_schedule",
        "not_pageable",
        "schedule_not_found",
      ],
    },
  },
  {
    name: "without the users list, email joins are withheld but roster-only findings stay",
    change: (org) => {
      person(org, "Alice Adams").pagerduty = { rotations: ["ceoc"] };
      org.snapshot.users = [];
      org.snapshot.failures = [{ kind: "users_list", message: "HTTP 500" }];
    },
    expected: ["missing_pagerduty_id Alice Adams -"],
    complete: false,
    withheld: {
      "users_list -": [
        "unknown_pagerduty_id",
        "missing_from_schedule",
        "unexpected_in_schedule",
        "not_in_roster",
        "deleted_user_in_schedule",
        "email_mismatch",
        "not_pageable",
        "invitation_pending",
      ],
    },
  },
  {
    name: "without the users list but with every user it needs looked up, nothing is withheld",
    change: (org) => {
      schedule(org, "PCEOC02").periods[0]!.members.push(memberOf("PDEL001", "2026-06-01T00:00:00Z"));
      org.snapshot.unknownUserIds = ["PDEL001"];
      org.snapshot.failures = [{ kind: "users_list", message: "HTTP 500" }];
    },
    expected: ["deleted_user_in_schedule PDEL001 PCEOC02"],
    complete: false,
    withheld: { "users_list -": [] },
  },
  {
    name: "a roster ID whose lookup failed withholds what that person's user decides",
    change: (org) => {
      org.snapshot.users = org.snapshot.users.filter((u) => u.id !== "PALICE1");
      org.snapshot.failures = [{ kind: "user", userId: "PALICE1", message: "timeout" }];
    },
    expected: [],
    complete: false,
    // Alice's account is on her own rotation's schedule, so it is neither a stranger nor unexpected.
    withheld: {
      "user PALICE1": [
        "unknown_pagerduty_id",
        "deleted_user_in_schedule",
        "email_mismatch",
        "not_pageable",
        "invitation_pending",
      ],
    },
  },
  {
    name: "a schedule member whose lookup failed is not called 'not in roster'",
    change: (org) => {
      schedule(org, "PCEOC01").periods[0]!.members.push(memberOf("PWHO001"));
      org.snapshot.failures = [{ kind: "user", userId: "PWHO001", message: "timeout" }];
    },
    expected: [],
    complete: false,
    // Every roster ID and every roster email belongs to a user read, so PWHO001 is nobody's account:
    // a stranger or a deleted user, never someone unexpected; and everyone is on their schedules already.
    withheld: {
      "user PWHO001": ["not_in_roster", "deleted_user_in_schedule"],
    },
  },
];

describe("checkAudit", () => {
  it.each(CASES)("$name", ({ change, expected, complete = true, withheld = {} }) => {
    const org = baseOrg();
    change(org);
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    const got = report.findings.map((f) => `${f.code} ${f.person?.name ?? "-"} ${f.schedule?.id ?? "-"}`);
    expect(got.sort()).toEqual([...expected].sort());
    expect(report.complete).toBe(complete);
    expect(report.summary.findings).toBe(expected.length);
    const byFailure = Object.fromEntries(
      report.errors.map((e) => [`${e.kind} ${e.id ?? "-"}`, [...e.withheld].sort()]),
    );
    expect(byFailure).toEqual(
      Object.fromEntries(Object.entries(withheld).map(([failure, codes]) => [failure, [...codes].sort()])),
    );
  });

  it("names the suggested ID when the email matches a PagerDuty user", () => {
    const org = baseOrg();
    person(org, "Alice Adams").pagerduty = { rotations: ["ceoc"] };
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    const finding = report.findings.find((f) => f.code === "missing_pagerduty_id");
    expect(finding?.evidence.suggested_pagerduty_id).toBe("PALICE1");
    expect(finding?.message).toContain("set pagerduty.id to PALICE1");
    expect(finding?.person).toMatchObject({ name: "Alice Adams", gitlab: "aliceadams", inRoster: true });
  });

  it("links a schedule's stranger and deleted user to the schedule's page, for its owner to fix", () => {
    const org = baseOrg();
    org.snapshot.users.push(userOf("PSTRANGE", "Stan Ger"));
    const ceoc = schedule(org, "PCEOC01");
    ceoc.htmlUrl = "https://acme.pagerduty.com/schedules/PCEOC01";
    ceoc.periods[0]?.members.push(memberOf("PSTRANGE"), memberOf("PGONE01", "2026-10-01T00:00:00Z"));
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    expect(
      report.findings
        .filter((f) => f.code === "not_in_roster" || f.code === "deleted_user_in_schedule")
        .map((f) => [f.code, f.evidence.pagerduty_id, f.evidence.schedule_url]),
    ).toEqual([
      ["deleted_user_in_schedule", "PGONE01", "https://acme.pagerduty.com/schedules/PCEOC01"],
      ["not_in_roster", "PSTRANGE", "https://acme.pagerduty.com/schedules/PCEOC01"],
    ]);
  });

  it("reports what was withheld and why when data is missing", () => {
    const org = baseOrg();
    org.snapshot.failures = [{ kind: "schedule", scheduleId: "PCEOC02", message: "HTTP 503 after 4 tries" }];
    org.snapshot.schedules = org.snapshot.schedules.filter((s) => s.id !== "PCEOC02");
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    expect(report.errors).toEqual([
      {
        kind: "schedule",
        id: "PCEOC02",
        message: "HTTP 503 after 4 tries",
        withheld: expect.arrayContaining<FindingCode>(["missing_from_schedule", "unexpected_in_schedule"]),
      },
    ]);
    expect(report.summary.schedules).toEqual({ configured: 3, read: 2, missing: 0, failed: 1 });
  });

  it("tells apart people far down a long roster, each against their own rotation", () => {
    const org = baseOrg();
    // Past the first few dozen people, so each person's place in the roster is told apart from its neighbours'.
    const engineers = Array.from({ length: 70 }, (_, i) => {
      const id = `PENG${String(i).padStart(3, "0")}`;
      const email = `eng${i}@example.com`;
      return { id, email, name: `Eng ${i}`, rotations: i === 33 ? [] : ["ceoc"] };
    });
    for (const e of engineers) {
      org.people.push(personOf(e.name, { id: e.id, rotations: e.rotations, email: e.email }));
      org.snapshot.users.push(userOf(e.id, e.name, { email: e.email }));
    }
    const absent = new Set(["Eng 31", "Eng 32", "Eng 64"]);
    schedule(org, "PCEOC02").periods[0]!.members.push(
      ...engineers.filter((e) => !absent.has(e.name)).map((e) => memberOf(e.id)),
    );
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    expect(report.findings.map((f) => `${f.code} ${f.person?.name ?? "-"} ${f.schedule?.id ?? "-"}`)).toEqual(
      [
        "missing_from_schedule Eng 31 -",
        "missing_from_schedule Eng 32 -",
        "unexpected_in_schedule Eng 33 PCEOC02",
        "missing_from_schedule Eng 64 -",
      ],
    );
  });

  it("keys findings stably across runs and counts them by code", () => {
    const org = baseOrg();
    schedule(org, "PCEOC02").periods[0]!.members = [];
    const input = { roster: rosterOf(org.people), snapshot: org.snapshot, config: org.config, now: NOW };
    const first = checkAudit(input);
    const second = checkAudit({ ...input, now: new Date(NOW.getTime() + 60_000) });
    expect(first.findings.map((f) => f.key)).toEqual(second.findings.map((f) => f.key));
    expect(first.findings[0]?.key).toBe("missing_from_schedule|bob.brown@example.com|-|ceoc");
    expect(first.summary.byCode.missing_from_schedule).toBe(1);
    expect(first.summary.bySeverity).toEqual({ error: 1, warning: 0 });
    expect(first.summary).toMatchObject({
      rosterPeople: 4,
      exemptPeople: 1,
      auditedPeople: 3,
      peopleWithFindings: 1,
    });
  });
});

describe("coverage", () => {
  it("shows who is on each rotation's schedules and who should be", () => {
    const org = baseOrg();
    org.people.push(personOf("Carl Clark", { id: "PCARL01" }));
    org.snapshot.users.push(userOf("PCARL01", "Carl Clark"));
    schedule(org, "PCEOC01").periods[0]!.members.push(
      memberOf("PCARL01"),
      memberOf("PDEL001", "2026-01-01T00:00:00Z"),
    );
    schedule(org, "PCEOC01").htmlUrl = "https://acme.pagerduty.com/schedules/PCEOC01";
    org.config.rotations[0]!.schedules.push("PMISS01");
    org.snapshot.missingScheduleIds = ["PMISS01"];
    const report = checkAudit({
      roster: rosterOf(org.people),
      snapshot: org.snapshot,
      config: org.config,
      now: NOW,
    });
    const ceoc = report.coverage.find((c) => c.rotation === "ceoc");
    expect(ceoc?.expected.map((e) => e.name)).toEqual(["Alice Adams", "Bob Brown"]);
    expect(ceoc?.schedules.map((s) => [s.id, s.status])).toEqual([
      ["PCEOC01", "read"],
      ["PCEOC02", "read"],
      ["PMISS01", "missing"],
    ]);
    // PagerDuty's own page of each schedule read, for the dashboard to link to.
    expect(ceoc?.schedules.map((s) => s.url)).toEqual([
      "https://acme.pagerduty.com/schedules/PCEOC01",
      null,
      null,
    ]);
    expect(ceoc?.schedules[0]?.members).toEqual([
      {
        pagerdutyId: "PALICE1",
        name: "Alice Adams",
        email: "alice.adams@example.com",
        inRoster: true,
        deleted: false,
        exempt: false,
      },
      {
        pagerdutyId: "PCARL01",
        name: "Carl Clark",
        email: "carl.clark@example.com",
        inRoster: true,
        deleted: false,
        exempt: false,
      },
      { pagerdutyId: "PDEL001", name: "PDEL001", email: null, inRoster: false, deleted: true, exempt: false },
      {
        pagerdutyId: "PVERA01",
        name: "Vera Vp",
        email: "vera.vp@example.com",
        inRoster: true,
        deleted: false,
        exempt: true,
      },
    ]);
  });
});
