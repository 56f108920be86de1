import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAuditConfig } from "@/lib/config/parse";
import type { AuditConfig, MembershipRule } from "@/lib/config/schema";
import {
  findUnknownRotationValues,
  findValuesWithPaths,
  getValuesAtPath,
  isExempt,
  MAX_REMEMBERED,
  RotationBits,
  RotationMembership,
  rosterRulesOf,
  selectMemberPositionsByRotation,
  selectRotationMembers,
} from "./membership";
import { parseRosterList } from "./parse";
import type { RosterEntry, RosterPerson } from "./schema";

/** The members by rotation as the entries themselves, which the assertions compare. */
function selectMembersByRotation<T extends { person: RosterPerson }>(
  entries: readonly T[],
  rotations: readonly { id: string; members: MembershipRule }[],
): Map<string, T[]> {
  const byRotation = new Map<string, T[]>();
  const membership = selectMemberPositionsByRotation(entries, rotations);
  rotations.forEach((rotation, r) =>
    byRotation.set(
      rotation.id,
      Array.from(membership.membersOf(r), (position) => entries[position] as T),
    ),
  );
  return byRotation;
}

const FIXTURES = join(import.meta.dirname, "fixtures");
const CONFIG_EXAMPLE = join(
  import.meta.dirname,
  "..",
  "config",
  "fixtures",
  "good",
  "audit.config.example.yaml",
);

let team: RosterEntry[];
let config: AuditConfig;
beforeAll(async () => {
  const file = join(FIXTURES, "good", "support-team.yaml");
  team = parseRosterList(await readFile(file, "utf8"), file);
  config = parseAuditConfig(await readFile(CONFIG_EXAMPLE, "utf8"), CONFIG_EXAMPLE);
});

const names = (entries: RosterEntry[]) => entries.map((e) => e.person.name);

describe("selectRotationMembers", () => {
  const cases: { name: string; rule: MembershipRule; rotation: string; members: string[] }[] = [
    {
      name: "field: a list holding the rotation id",
      rule: { field: "pagerduty.rotations" },
      rotation: "amer-central",
      members: ["Bruno Costa", "Farhan Ahmed"],
    },
    {
      name: "field: ids compare ignoring case",
      rule: { field: "pagerduty.rotations" },
      rotation: "AMER-West",
      members: ["Alice Nakamura"],
    },
    {
      name: "field: a plain value equal to the id",
      rule: { field: "region" },
      rotation: "apac",
      members: ["Emma Wilson"],
    },
    { name: "field: a path nobody has", rule: { field: "oncall.teams" }, rotation: "emea", members: [] },
    {
      name: "where title: a substring, ignoring case",
      rule: { where: { title: "manager" } },
      rotation: "m",
      members: ["Dmitri Volkov", "Priya Raman"],
    },
    {
      name: "where: every key must match; a list means any of",
      rule: { where: { title: "Manager", region: ["AMER-W", "AMER-C"] } },
      rotation: "m",
      members: ["Priya Raman"],
    },
    {
      name: "where: other keys need equality, not a substring",
      rule: { where: { region: "AMER" } },
      rotation: "x",
      members: [],
    },
    {
      name: "where: a dotted path",
      rule: { where: { "slack.username": "EMMA.WILSON" } },
      rotation: "x",
      members: ["Emma Wilson"],
    },
    {
      name: "where: a path through a list (any focus)",
      rule: { where: { "focuses.name": "gitlab dedicated" } },
      rotation: "x",
      members: ["Chloé Martin", "Farhan Ahmed"],
    },
    {
      name: "where: numbers compare as text",
      rule: { where: { "gitlab.id": "1005" } },
      rotation: "x",
      members: ["Emma Wilson"],
    },
    {
      name: "where title: a list of substrings",
      rule: { where: { title: ["VP", "Staff"] } },
      rotation: "x",
      members: ["Chloé Martin", "Ines Duarte"],
    },
  ];

  it.each(cases)("$name", ({ rule, rotation, members }) => {
    expect(names(selectRotationMembers(team, rule, rotation))).toEqual(members);
  });

  it("returns the roster's own entry objects", () => {
    const [first] = selectRotationMembers(team, { field: "pagerduty.rotations" }, "amer-west");
    expect(first).toBe(team[0]);
  });
});

describe("getValuesAtPath", () => {
  it.each([
    ["pagerduty.rotations", ["amer-east", "amer-central"]],
    ["focuses.percentage", [70, 30]],
    ["region", ["AMER-E"]],
    ["slack.nothing", []],
    ["name.length", []],
    ["constructor", []],
  ])("%s", (path, values) => {
    expect(getValuesAtPath(team[5]?.person, path)).toEqual(values);
  });
});

describe("isExempt", () => {
  it.each([
    ["VP of Support", ["VP of Support"], true],
    ["vp of support", ["VP of Support"], true],
    ["  VP of Support ", ["vp OF support"], true],
    ["VP of Support Operations", ["VP of Support"], false],
    ["Support Manager", ["VP of Support"], false],
    [null, ["VP of Support"], false],
    ["VP of Support", [], false],
  ])("title %j against %j → %s", (title, titles, exempt) => {
    expect(isExempt({ name: "X", email: "x@example.com", title }, titles)).toBe(exempt);
  });
});

describe("findValuesWithPaths", () => {
  const person = {
    region: "EMEA",
    pagerduty: { rotations: ["emea", null, "apac"] },
    focuses: [{ name: "A" }, { other: 1 }, { name: ["B", "C"] }],
  };

  it.each([
    ["region", [["EMEA", ["region"]]]],
    [
      "pagerduty.rotations",
      [
        ["emea", ["pagerduty", "rotations", 0]],
        ["apac", ["pagerduty", "rotations", 2]],
      ],
    ],
    [
      "focuses.name",
      [
        ["A", ["focuses", 0, "name"]],
        ["B", ["focuses", 2, "name", 0]],
        ["C", ["focuses", 2, "name", 1]],
      ],
    ],
    ["pagerduty.id", []],
  ])("%s gives the values getValuesAtPath gives, with their paths", (path, expected) => {
    const found = findValuesWithPaths(person, path);
    expect(found.map((f) => [f.value, f.path])).toEqual(expected);
    expect(found.map((f) => f.value)).toEqual(getValuesAtPath(person, path));
  });
});

describe("findUnknownRotationValues", () => {
  it("points at each unknown value of every field the config uses, ignoring case and spaces", () => {
    const rules = rosterRulesOf(config);
    expect(team.flatMap((entry) => findUnknownRotationValues(entry.person, rules))).toEqual([]);
    const person = { pagerduty: { rotations: [" AMER-West ", "amer-wset", 7] }, region: "nowhere" };
    expect(findUnknownRotationValues(person, rules)).toEqual([
      {
        field: "pagerduty.rotations",
        path: ["pagerduty", "rotations", 1],
        rotationId: "amer-wset",
        suggestion: "amer-west",
      },
      {
        field: "pagerduty.rotations",
        path: ["pagerduty", "rotations", 2],
        rotationId: "7",
        suggestion: null,
      },
    ]);
  });
});

describe("selectMembersByRotation", () => {
  it("answers every rotation as selectRotationMembers would, one pass per field path", () => {
    const entries = [
      { name: "A", rotations: ["ceoc-amer", "CEOC-EMEA "] },
      { name: "B", rotations: ["ceoc-emea"] },
      { name: "C", rotations: "ceoc-amer" },
      { name: "D", rotations: [] },
      { name: "E", title: "Support Manager", region: "EMEA" },
    ].map((p, index) => ({
      person: { email: `${p.name.toLowerCase()}@example.com`, ...p, pagerduty: { rotations: p.rotations } },
      location: { file: "t.yaml", index, line: null },
    })) as RosterEntry[];
    const rotations = [
      { id: "ceoc-amer", members: { field: "pagerduty.rotations" } },
      { id: "ceoc-emea", members: { field: "pagerduty.rotations" } },
      { id: "ceoc-apac", members: { field: "pagerduty.rotations" } },
      { id: "smoc-emea", members: { where: { title: "manager", region: "EMEA" } } },
    ];
    const byRotation = selectMembersByRotation(entries, rotations);
    for (const rotation of rotations) {
      expect([...(byRotation.get(rotation.id) ?? [])]).toEqual(
        selectRotationMembers(entries, rotation.members, rotation.id),
      );
    }
    expect([...(byRotation.get("ceoc-emea") ?? [])].map((e) => e.person.name)).toEqual(["A", "B"]);
    expect([...(byRotation.get("ceoc-amer") ?? [])].map((e) => e.person.name)).toEqual(["A", "C"]);
    expect(byRotation.get("ceoc-apac")?.length).toBe(0);
  });

  it("tests values anew once a path holds more distinct values than it remembers", () => {
    // Every person a region of their own; the rules' values come after the remembered ones, and a value
    // met before (one remembered) comes back at the end.
    const regions = Array.from({ length: MAX_REMEMBERED + 20 }, (_, i) => `Region ${i}`);
    const entries = [...regions, "Region 3", "region 3 "].map((region, index) => ({
      person: {
        name: `P${index}`,
        email: `p${index}@example.com`,
        region,
        title: index % 2 ? "Manager" : "Engineer",
      },
    })) as { person: RosterPerson }[];
    const late = regions[MAX_REMEMBERED + 5] ?? "";
    const rotations: { id: string; members: MembershipRule }[] = [
      { id: "late", members: { where: { region: [late.toUpperCase()], title: "manag" } } },
      { id: "early", members: { where: { region: "region 3" } } },
      { id: "last", members: { where: { region: [regions[regions.length - 1] ?? ""] } } },
      { id: "any", members: { where: { region: "REGION" } } },
    ];
    const byRotation = selectMembersByRotation(entries, rotations);
    for (const rotation of rotations) {
      expect([...(byRotation.get(rotation.id) ?? [])]).toEqual(
        selectRotationMembers(entries, rotation.members, rotation.id),
      );
    }
    expect([...(byRotation.get("late") ?? [])].map((e) => e.person.name)).toEqual([`P${MAX_REMEMBERED + 5}`]);
    expect([...(byRotation.get("early") ?? [])].map((e) => e.person.name)).toEqual([
      "P3",
      `P${regions.length}`,
      `P${regions.length + 1}`,
    ]);
    expect(byRotation.get("last")?.length).toBe(1);
    expect(byRotation.get("any")?.length).toBe(0);
  });
});

/** Keys that the paths below read, so random people often hold values there (and sometimes lists of mappings). */
const KEYS = ["region", "title", "pagerduty", "rotations", "focuses", "name", "a", "b"];
/** Paths rules read: the same path spelled with spaces, `title` by another spelling, paths through lists. */
const PATHS = [
  "region",
  " region",
  "title",
  " title",
  "pagerduty.rotations",
  "pagerduty . rotations",
  "focuses.name",
  "a.b",
  "name",
];
/** Texts rules test, in cases and spacings the roster spells differently. */
const RULE_TEXTS = [
  "emea",
  "EMEA ",
  "amer-west",
  " AMER-West",
  "manager",
  "Man",
  "support manager",
  "1005",
  "true",
  "",
  "x",
];

const leafArb = fc.constantFrom<unknown>(
  "emea",
  " EMEA",
  "Amer-West ",
  "amer-west",
  "Support Manager",
  "MANAGER",
  "x",
  "",
  "  ",
  "1005",
  1005,
  0,
  true,
  false,
  null,
);

/** Roster-shaped values: scalars, mappings over KEYS, and lists of either, lists of lists included. */
const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafArb,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 3 }),
  ),
}));

/** A value or a list of them, so one person often holds the same text twice, spelled differently. */
const scalarsArb = fc.oneof(leafArb, fc.array(leafArb, { maxLength: 4 }));
const personArb = fc.oneof(
  // Shaped like a roster entry: values at most paths rules read.
  fc.record(
    {
      region: scalarsArb,
      title: scalarsArb,
      pagerduty: fc.record({ rotations: scalarsArb }),
      focuses: fc.array(fc.oneof(fc.record({ name: scalarsArb }), leafArb), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  // Anything: lists of lists, mappings where text was expected, paths missing half way.
  fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: 5 }),
);

const ruleTextArb = fc.constantFrom(...RULE_TEXTS);
const ruleArb: fc.Arbitrary<MembershipRule> = fc.oneof(
  fc.record({ field: fc.constantFrom(...PATHS) }),
  fc.record({
    // Several conditions, each one text or a list of them (empty ones included: they never match).
    where: fc.dictionary(
      fc.constantFrom(...PATHS),
      fc.oneof(ruleTextArb, fc.array(ruleTextArb, { maxLength: 3 })),
      { minKeys: 0, maxKeys: 3 },
    ),
  }),
);
/** Ids repeat on purpose (the last rotation with an id wins), and in cases and spacings values use. */
const rotationsArb = fc.array(fc.record({ id: ruleTextArb, members: ruleArb }), { maxLength: 8 });

describe("selectMembersByRotation on random rosters and configs", () => {
  it("equals selectRotationMembers for every rotation: same entries, same order", () => {
    fc.assert(
      fc.property(fc.array(personArb, { maxLength: 12 }), rotationsArb, (people, rotations) => {
        const entries = people.map((person) => ({ person: person as RosterPerson }));
        const byRotation = selectMembersByRotation(entries, rotations);
        const lastById = new Map(rotations.map((rotation) => [rotation.id, rotation]));
        expect([...byRotation.keys()]).toEqual([...lastById.keys()]);
        for (const [id, rotation] of lastById) {
          // Compared as indexes: the same entry objects, not equal-looking copies.
          const actual = (byRotation.get(id) ?? []).map((entry) => entries.indexOf(entry));
          const expected = selectRotationMembers(entries, rotation.members, id).map((entry) =>
            entries.indexOf(entry),
          );
          expect(actual).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("reads the values findValuesWithPaths finds, in its order", () => {
    fc.assert(
      fc.property(personArb, fc.constantFrom(...PATHS), (person, path) => {
        expect(getValuesAtPath(person, path)).toEqual(findValuesWithPaths(person, path).map((f) => f.value));
      }),
      { numRuns: 500 },
    );
  });
});

describe("RotationMembership", () => {
  it("gives back what was added, in order, and answers as a set per rotation would", () => {
    const ids = fc.array(fc.constantFrom("ceoc", "smoc", "emea", "apac"), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        ids,
        fc.integer({ min: 0, max: 300 }),
        fc.infiniteStream(fc.boolean()),
        (rotationIds, positions, coin) => {
          const membership = new RotationMembership(rotationIds, positions);
          // The model: a list per rotation; a repeated id reads the last such rotation's list.
          const lists = rotationIds.map(() => [] as number[]);
          for (let position = 0; position < positions; position++) {
            rotationIds.forEach((_, r) => {
              if (!coin.next().value) return;
              membership.add(r, position);
              lists[r]?.push(position);
            });
          }
          rotationIds.forEach((id, r) => {
            const read = lists[rotationIds.lastIndexOf(id)] ?? [];
            expect(Array.from(membership.membersOf(r))).toEqual(read);
            for (let position = 0; position < positions; position++) {
              expect(membership.has(r, position)).toBe(read.includes(position));
            }
          });
          expect(membership.rotationCount).toBe(rotationIds.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("asks several rotations at once", () => {
    const membership = new RotationMembership(["a", "b", "c"], 40);
    membership.add(1, 33);
    membership.add(2, 7);
    expect(membership.hasAny([0, 1], 33)).toBe(true);
    expect(membership.hasAny([0, 2], 33)).toBe(false);
    expect(membership.hasAny([], 7)).toBe(false);
  });
});

describe("RotationBits", () => {
  it("holds the positions added to each rotation, and no others", () => {
    const adds = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 99 })), {
      maxLength: 80,
    });
    fc.assert(
      fc.property(adds, (pairs) => {
        const bits = new RotationBits(4, 100);
        const model = new Set(pairs.map(([r, p]) => `${r}:${p}`));
        for (const [r, p] of pairs) bits.add(r, p);
        for (let r = 0; r < 4; r++)
          for (let p = 0; p < 100; p++) expect(bits.has(r, p)).toBe(model.has(`${r}:${p}`));
      }),
    );
  });
});
