import { describe, expect, it } from "vitest";
import type { RotationCoverage } from "@/lib/audit/types";
import {
  PROBLEMS_ONLY_ABOVE_PEOPLE,
  comparePeople,
  coverageShowOf,
  coverageViewOf,
  rotationCoverageViewOf,
  type CoveragePerson,
} from "./coverage-view";

type Member = RotationCoverage["schedules"][number]["members"][number];

const SITE = "https://acme.pagerduty.com";

const member = (pagerdutyId: string, email: string | null, overrides: Partial<Member> = {}): Member => ({
  pagerdutyId,
  name: pagerdutyId,
  email,
  inRoster: true,
  deleted: false,
  ...overrides,
});

const COVERAGE: RotationCoverage = {
  rotation: "emea",
  name: "EMEA",
  expected: [
    { name: "Amara", email: "amara@example.com", pagerdutyId: "PAMARA" },
    { name: "Lukas", email: "Lukas@Example.com", pagerdutyId: null },
    { name: "Grace", email: "grace@example.com", pagerdutyId: "PGRACE" },
  ],
  schedules: [
    {
      id: "S1",
      name: "EMEA primary",
      kind: "v2",
      url: `${SITE}/schedules/S1`,
      status: "read",
      // Amara by her PagerDuty ID (her PagerDuty email differs), Lukas by his email, Theo not expected.
      members: [
        member("PAMARA", "amara.o@example.com"),
        member("PLUKAS", " lukas@example.com"),
        member("PTHEO", "theo@example.com", { name: "Theo" }),
      ],
    },
    {
      id: "S2",
      name: null,
      kind: null,
      url: null,
      status: "failed",
      members: [member("PGRACE", "grace@example.com")],
    },
  ],
};

function byName(people: CoveragePerson[]) {
  return Object.fromEntries(people.map((p) => [p.name, p]));
}

describe("rotationCoverageViewOf", () => {
  it("joins on the PagerDuty ID, else the person key, and only over schedules that were read", () => {
    const view = rotationCoverageViewOf(COVERAGE, SITE);
    const people = byName(view.people);
    expect(people.Amara?.schedules.map((s) => s.id)).toEqual(["S1"]);
    expect(people.Lukas?.schedules.map((s) => s.id)).toEqual(["S1"]);
    expect(people.Grace?.schedules).toEqual([]);
    expect(people.Theo).toMatchObject({ expected: false, problems: ["not_expected"] });
    // The failed schedule's members are not read: Grace is missing from what was read.
    expect(people.Grace?.problems).toEqual(["missing"]);
    expect(people.Lukas?.problems).toEqual(["no_pagerduty_id"]);
    expect(people.Amara?.problems).toEqual([]);
    expect(view).toMatchObject({ anyRead: true, peopleWithProblems: 3, brokenSchedules: 1, problems: 4 });
  });

  it("keys each row by person key, never by display name, and links users to the PagerDuty site", () => {
    const people = byName(rotationCoverageViewOf(COVERAGE, SITE).people);
    // The roster email, trimmed and lower-cased, whatever the name says.
    expect(people.Lukas?.key).toBe("lukas@example.com");
    expect(people.Theo?.key).toBe("theo@example.com");
    expect(people.Amara).toMatchObject({
      key: "amara@example.com",
      pagerdutyUrl: `${SITE}/users/PAMARA`,
      schedules: [{ id: "S1", name: "EMEA primary", url: `${SITE}/schedules/S1` }],
    });
    // No ID, no user page.
    expect(people.Lukas?.pagerdutyUrl).toBeNull();
  });

  it("links no user when the site is unknown", () => {
    const people = rotationCoverageViewOf(COVERAGE, null).people;
    expect(people.map((p) => p.pagerdutyUrl)).toEqual(people.map(() => null));
  });

  it("keys someone the roster does not hold by their PagerDuty user, one row across schedules", () => {
    const stranger = member("PSTRANGE", "x@example.net", { name: "Zed", inRoster: false });
    const gone = member("PGONE", null, { name: null, inRoster: false, deleted: true });
    const view = rotationCoverageViewOf(
      {
        rotation: "r",
        name: "R",
        expected: [],
        schedules: [
          { id: "A", name: "A", kind: "v2", url: null, status: "read", members: [stranger, gone] },
          { id: "B", name: "B", kind: "v3", url: null, status: "read", members: [stranger] },
        ],
      },
      SITE,
    );
    expect(view.people).toEqual([
      expect.objectContaining({
        key: "pd:PGONE",
        name: "PGONE",
        problems: ["deleted"],
        pagerdutyUrl: null,
      }),
      expect.objectContaining({
        key: "pd:PSTRANGE",
        problems: ["not_in_roster"],
        pagerdutyUrl: `${SITE}/users/PSTRANGE`,
        schedules: [expect.objectContaining({ id: "A" }), expect.objectContaining({ id: "B" })],
      }),
    ]);
    expect(view.schedules.map((s) => [s.id, s.members])).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
  });

  it("raises no problem about someone with an exempt title, as the checker raises no finding", () => {
    const vp = member("PVP", "vp@example.com", { name: "Vera", exempt: true });
    const goneVp = member("PVP2", null, { name: "Vera (old)", exempt: true, deleted: true });
    const people = byName(
      rotationCoverageViewOf(
        {
          ...COVERAGE,
          schedules: [
            { ...COVERAGE.schedules[0]!, members: [...COVERAGE.schedules[0]!.members, vp, goneVp] },
          ],
        },
        SITE,
      ).people,
    );
    expect(people.Vera).toMatchObject({ exempt: true, expected: false, problems: [] });
    expect(people["Vera (old)"]).toMatchObject({ exempt: true, problems: [] });
    // Theo, in the roster without an exempt title, is still unexpected.
    expect(people.Theo).toMatchObject({ exempt: false, problems: ["not_expected"] });
  });

  it("says nobody is missing when no schedule could be read", () => {
    const view = rotationCoverageViewOf(
      {
        ...COVERAGE,
        schedules: [{ id: "S9", name: null, kind: null, url: null, status: "missing", members: [] }],
      },
      SITE,
    );
    expect(view.anyRead).toBe(false);
    expect(view.people.flatMap((p) => p.problems)).toEqual(["no_pagerduty_id"]);
    expect(view.problems).toBe(2);
  });

  it("reads a report stored before schedule pages were kept (no `url`)", () => {
    const { url: _dropped, ...old } = COVERAGE.schedules[0]!;
    const view = coverageViewOf([{ ...COVERAGE, schedules: [old] }]);
    expect(view.rotations[0]?.schedules[0]?.url).toBeNull();
    expect(view.rotations[0]?.people.every((p) => p.pagerdutyUrl === null)).toBe(true);
  });
});

describe("the order of people", () => {
  const person = (name: string, key: string, problems: CoveragePerson["problems"] = []): CoveragePerson => ({
    key,
    name,
    email: null,
    inRoster: true,
    pagerdutyId: null,
    pagerdutyUrl: null,
    expected: true,
    exempt: false,
    schedules: [],
    problems,
  });

  type Case = [name: string, key: string, problems?: CoveragePerson["problems"]];
  it.each<[string, Case, Case]>([
    ["problems before healthy rows, whatever the name", ["Zoe", "z", ["missing"]], ["Adam", "a"]],
    ["by name, case aside", ["adam", "x"], ["Beth", "a"]],
    ["by name, accents aside", ["Élodie", "x"], ["Erik", "a"]],
    ["numbers in names by value", ["Agent 2", "x"], ["Agent 10", "a"]],
    ["the same name: by person key", ["Sam Lee", "sam.a@example.com"], ["Sam Lee", "sam.b@example.com"]],
  ])("%s", (_case, first, second) => {
    const a = person(...first);
    const b = person(...second);
    expect([b, a].sort(comparePeople)).toEqual([a, b]);
    expect([a, b].sort(comparePeople)).toEqual([a, b]);
  });
});

describe("coverageViewOf", () => {
  const healthy: RotationCoverage = {
    rotation: "apac",
    name: "APAC",
    expected: [{ name: "Amara", email: "amara@example.com", pagerdutyId: "PAMARA" }],
    schedules: [
      {
        id: "S3",
        name: "APAC",
        kind: "v3",
        url: `${SITE}/schedules/S3`,
        status: "read",
        members: [member("PAMARA", "amara@example.com")],
      },
    ],
  };

  it("puts rotations with problems first, each group in the config's order, and counts people once", () => {
    const other = { ...healthy, rotation: "amer", name: "AMER" };
    const view = coverageViewOf([healthy, COVERAGE, other]);
    expect(view.rotations.map((r) => r.rotation)).toEqual(["emea", "apac", "amer"]);
    // Amara is in all three rotations: one person. Theo, Lukas, Grace have problems.
    expect(view).toMatchObject({ people: 4, peopleWithProblems: 3, brokenSchedules: 1 });
  });

  it("learns the PagerDuty site from a schedule page, even another rotation's", () => {
    const { url: _dropped, ...unlinked } = COVERAGE.schedules[0]!;
    const view = coverageViewOf([{ ...COVERAGE, schedules: [unlinked] }, healthy]);
    const amara = view.rotations[0]?.people.find((p) => p.name === "Amara");
    expect(amara?.pagerdutyUrl).toBe(`${SITE}/users/PAMARA`);
  });
});

describe("coverageShowOf", () => {
  it.each([
    [undefined, PROBLEMS_ONLY_ABOVE_PEOPLE, "all"],
    [undefined, PROBLEMS_ONLY_ABOVE_PEOPLE + 1, "problems"],
    [undefined, 0, "all"],
    ["all", 300, "all"],
    ["problems", 3, "problems"],
  ] as const)("asked %s, %i people in the roster: %s", (asked, people, shown) => {
    expect(coverageShowOf(asked, people)).toBe(shown);
  });
});
