import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import {
  MAX_ROSTER_FILE_BYTES,
  buildRoster,
  findUnknownManagers,
  parseRosterList,
  parseRosterPerson,
  rosterError,
  type ManagerClaim,
} from "./parse";
import type { RosterEntry } from "./schema";
import { thrownAppError } from "@/lib/testing/errors";
import { checkAudit } from "@/lib/audit/check";
import { NOW, configOf, rosterOf, snapshotOf, userOf } from "@/lib/audit/testing";
import { selectRotationMembers } from "./membership";

describe("parseRosterList", () => {
  const cases: { name: string; text: string; check: (entries: RosterEntry[]) => void }[] = [
    {
      name: "keeps fields the schema does not know",
      text: "- name: A\n  email: a@example.com\n  pronouns: she/her\n  pagerduty: { id: PX1, rotations: [emea] }\n",
      check: ([a]) => {
        expect(a?.person).toMatchObject({
          pronouns: "she/her",
          pagerduty: { id: "PX1", rotations: ["emea"] },
        });
      },
    },
    {
      name: "keeps dates, yes/no and on/off as text (core schema)",
      text: "- name: A\n  email: a@example.com\n  start_date: 2021-03-01\n  remote: yes\n  region: NO\n",
      check: ([a]) => {
        expect(a?.person).toMatchObject({ start_date: "2021-03-01", remote: "yes", region: "NO" });
      },
    },
    {
      name: "trims names and emails",
      text: "- name: '  A  '\n  email: ' a@example.com '\n",
      check: ([a]) => expect([a?.person.name, a?.person.email]).toEqual(["A", "a@example.com"]),
    },
    {
      name: "gives each entry its 1-based line, past comments and blank lines",
      text: "# roster\n\n- name: A\n  email: a@example.com\n\n  # B next\n-\n  name: B\n  email: b@example.com\n",
      check: (entries) => {
        expect(entries.map((e) => [e.location.index, e.location.line])).toEqual([
          [0, 3],
          [1, 8],
        ]);
      },
    },
    {
      name: "reads a flow-style list",
      text: "[{name: A, email: a@example.com}, {name: B, email: b@example.com}]\n",
      check: (entries) => expect(entries.map((e) => e.person.name)).toEqual(["A", "B"]),
    },
    {
      name: "allows a few aliases",
      text: "- name: A\n  email: a@example.com\n  focuses: &f [{name: X, percentage: 100}]\n- name: B\n  email: b@example.com\n  focuses: *f\n",
      check: ([, b]) => expect(b?.person.focuses).toEqual([{ name: "X", percentage: 100 }]),
    },
  ];

  it.each(cases)("$name", ({ text, check }) => check(parseRosterList(text, "team.yaml")));

  it("lists every problem of the file, not just the first", () => {
    const error = thrownAppError(() =>
      parseRosterList(
        "- name: A\n  email: nope\n- name: B\n  email: b@example.com\n  title: 5\n- 7\n- name: C\n  email: B@example.com\n",
        "team.yaml",
      ),
    );
    expect(error.code).toBe("invalid:roster");
    expect(error.details.map((d) => [d.line, d.entry, d.path])).toEqual([
      [2, "A", "email"],
      [5, "B", "title"],
      [6, "#2", undefined],
      [8, "C", "email"],
    ]);
  });

  it("refuses text over the size cap", () => {
    const error = thrownAppError(() => parseRosterList(" ".repeat(MAX_ROSTER_FILE_BYTES + 1), "team.yaml"));
    expect(error.details[0]?.message).toMatch(/larger than the 5 MiB/);
  });
});

describe("parseRosterPerson", () => {
  it("reads one person whose entry has no index", () => {
    const entry = parseRosterPerson("name: A\nemail: a@example.com\n", "agents/a.yaml");
    expect(entry.location).toEqual({ file: "agents/a.yaml", index: null, line: 1 });
  });

  it("names the entry by its name, or not at all when it has none", () => {
    const error = thrownAppError(() =>
      parseRosterPerson("email: a@example.com\ntitle: []\n", "agents/a.yaml"),
    );
    expect(error.details.map((d) => [d.entry, d.path, d.line])).toEqual([
      [undefined, "name", 1],
      [undefined, "title", 2],
    ]);
  });
});

describe("buildRoster", () => {
  const entry = (name: string, email: string, file: string, line: number): RosterEntry => ({
    person: { name, email },
    location: { file, index: null, line },
  });

  it("names both entries of a duplicate email across files, ignoring case", () => {
    const error = thrownAppError(() =>
      buildRoster(
        "agents",
        [entry("A", "a@example.com", "a.yaml", 1), entry("B", "A@Example.com", "b.yaml", 1)],
        "x",
      ),
    );
    expect(error.code).toBe("invalid:roster");
    expect(error.details).toEqual([
      expect.objectContaining({
        file: "b.yaml",
        entry: "B",
        path: "email",
        message: expect.stringContaining("also used by A (a.yaml:1)"),
      }),
    ]);
  });

  it("returns the roster when emails are distinct", () => {
    const entries = [entry("A", "a@example.com", "a.yaml", 1), entry("B", "b@example.com", "b.yaml", 1)];
    expect(buildRoster("agents", entries, "abc")).toEqual({
      source: "agents",
      entries,
      sha256: "abc",
      warnings: [],
    });
  });
});

describe("one person per name and per GitLab account", () => {
  it("refuses two entries of a list whose names differ only by case and spacing, naming both lines", () => {
    const text =
      "- name: Marcus Oyelaran\n  email: marcus@example.com\n" +
      "- name: Ines Duarte\n  email: ines@example.com\n  reports_to: Marcus Oyelaran\n" +
      "- name: '  marcus  OYELARAN '\n  email: marcus.o@example.com\n";
    const error = thrownAppError(() => parseRosterList(text, "team.yaml"));
    expect(error.code).toBe("invalid:roster");
    expect(error.details).toEqual([
      expect.objectContaining({
        file: "team.yaml",
        entry: "marcus  OYELARAN",
        path: "name",
        line: 6,
        message: expect.stringContaining("also used by Marcus Oyelaran (team.yaml:1)"),
      }),
    ]);
  });

  it("refuses a GitLab username used twice, ignoring case and a leading @", () => {
    const text =
      "- name: A\n  email: a@example.com\n  gitlab: { username: sofia }\n" +
      "- name: B\n  email: b@example.com\n  gitlab: { username: '@SOFIA' }\n";
    const error = thrownAppError(() => parseRosterList(text, "team.yaml"));
    expect(error.details).toEqual([
      expect.objectContaining({
        file: "team.yaml",
        entry: "B",
        path: "gitlab.username",
        line: 6,
        message: expect.stringContaining("also used by A (team.yaml:3)"),
      }),
    ]);
  });

  it("refuses the same across the files of a directory roster (buildRoster)", () => {
    const at = (name: string, email: string, file: string, username?: string): RosterEntry => ({
      person: { name, email, ...(username ? { gitlab: { username } } : {}) },
      location: { file, index: null, line: 1 },
    });
    const names = thrownAppError(() =>
      buildRoster(
        "agents",
        [at("Marcus Oyelaran", "m@example.com", "a.yaml"), at("MARCUS oyelaran", "m2@example.com", "b.yaml")],
        "x",
      ),
    );
    expect(names.details).toEqual([
      expect.objectContaining({
        file: "b.yaml",
        path: "name",
        message: expect.stringContaining("(a.yaml:1)"),
      }),
    ]);
    const usernames = thrownAppError(() =>
      buildRoster(
        "agents",
        [at("A", "a@example.com", "a.yaml", "Sofia"), at("B", "b@example.com", "b.yaml", "sofia")],
        "x",
      ),
    );
    expect(usernames.details).toEqual([
      expect.objectContaining({
        file: "b.yaml",
        path: "gitlab.username",
        message: expect.stringContaining("(a.yaml:1)"),
      }),
    ]);
  });
});

describe("rosterError", () => {
  it.each([
    [[{ file: "a.yaml", line: 3, message: "x" }], "The roster has 1 problem in a.yaml (line 3)."],
    [
      [
        { file: "a.yaml", line: 5, message: "x" },
        { file: "a.yaml", line: 2, message: "y" },
      ],
      "The roster has 2 problems in a.yaml (first at line 2).",
    ],
    [
      [
        { file: "b.yaml", line: 1, message: "x" },
        { file: "a.yaml", line: 4, message: "y" },
      ],
      "The roster has 2 problems in 2 files (first in a.yaml at line 4).",
    ],
    [[{ file: "agents", message: "no YAML files" }], "The roster has 1 problem in agents."],
  ])("summarizes %j where the first problem is", (details, message) => {
    expect(rosterError(details).message).toBe(message);
  });
});

describe("findUnknownManagers", () => {
  const claim = (reportsTo: string, title: string | null = null): ManagerClaim => ({
    reportsTo,
    title,
    file: "team.yaml",
    entry: "Kim",
    line: 4,
    column: 15,
  });
  const names = ["Priya Raman", "Ines Duarte", "Kim"];

  it.each([
    ["a manager in the roster", claim("Priya Raman"), []],
    ["case and runs of spaces do not matter", claim("  priya   RAMAN "), []],
    ["an exempt title may report outside", claim("Chief Customer Officer", "vp of support"), []],
    [
      "a typo, with the name meant",
      claim("Priya Ramen"),
      [/manager "Priya Ramen" is not in the roster \(did you mean "Priya Raman"\?\); only an exempt title/],
    ],
    [
      "someone who left",
      claim("Sam Former", "Support Manager"),
      [/manager "Sam Former" is not in the roster;/],
    ],
  ] as const)("%s", (_name, manager, messages) => {
    const details = findUnknownManagers([manager], names, ["VP of Support"]);
    expect(details.map((d) => d.message)).toEqual(messages.map((m) => expect.stringMatching(m)));
    for (const d of details)
      expect(d).toMatchObject({ file: "team.yaml", entry: "Kim", path: "reports_to", line: 4 });
  });

  it("says the manager must be in the roster when no title is exempt", () => {
    const [detail] = findUnknownManagers([claim("Sam Former", "VP of Support")], names, []);
    expect(detail?.message).toBe('manager "Sam Former" is not in the roster');
  });
});

describe("robustness", () => {
  const yamlish = fc
    .array(
      fc.constantFrom(
        "- ",
        "name: ",
        "email: ",
        "a@b.c",
        "\n",
        "  ",
        "\t",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "&a ",
        "*a",
        "!!str ",
        "!!binary ",
        "? ",
        "|",
        ">",
        "'",
        '"',
        "#",
        "---\n",
        "...\n",
        "__proto__",
        "\uFEFF",
        "é",
        "%YAML 1.2\n",
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));

  it("throws nothing but AppError on any input", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string()), (text) => {
        for (const parse of [parseRosterList, parseRosterPerson]) {
          try {
            parse(text, "fuzz.yaml");
          } catch (error) {
            if (!(error instanceof AppError) || error.code !== "invalid:roster") throw error;
            for (const d of error.details) {
              if (d.line !== undefined && (!Number.isInteger(d.line) || d.line < 1))
                throw new Error("bad line");
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("blank optional fields", () => {
  const FIELDS = [
    ["title", ["title"]],
    ["reports_to", ["reports_to"]],
    ["region", ["region"]],
    ["pagerduty:\n  id", ["pagerduty", "id"]],
    ["gitlab:\n  username", ["gitlab", "username"]],
    ["slack:\n  id", ["slack", "id"]],
    ["slack:\n  username", ["slack", "username"]],
    ["tzdata_timezone", ["tzdata_timezone"]],
    ["start_date", ["start_date"]],
  ] as const;
  const BLANKS = ["''", '""', "'   '", "null", "~", ""];

  it.each(FIELDS.flatMap(([key, path]) => BLANKS.map((blank) => ({ key, path, blank }))))(
    "$key: $blank is absent",
    ({ key, path, blank }) => {
      const text = `name: Ada\nemail: ada@example.com\n${key}: ${blank}\n`;
      const person = parseRosterPerson(text, "agents/ada.yaml").person as Record<string, unknown>;
      let value: unknown = person;
      for (const segment of path) value = (value as Record<string, unknown> | undefined)?.[segment];
      expect(value).toBeUndefined();
    },
  );

  it("still refuses a field of the wrong type", () => {
    const error = thrownAppError(() =>
      parseRosterPerson("name: Ada\nemail: ada@example.com\nregion: [EMEA]\n", "agents/ada.yaml"),
    );
    expect(error.details).toMatchObject([{ path: "region", line: 3, message: "expected text, got a list" }]);
  });

  it("a blank pagerduty.id is reported as missing, with the ID of the user who has that email", () => {
    const text =
      "- name: Ada Lovelace\n  email: ada@example.com\n  pagerduty:\n    id: ''\n    rotations: [ceoc]\n";
    const roster = rosterOf(parseRosterList(text, "team.yaml").map((e) => e.person));
    const report = checkAudit({
      roster,
      snapshot: snapshotOf({ users: [userOf("PADA001", "Ada Lovelace", { email: "ada@example.com" })] }),
      config: configOf([]),
      now: NOW,
    });
    expect(report.findings.map((f) => [f.code, f.person?.name, f.person?.pagerdutyId])).toEqual([
      ["missing_pagerduty_id", "Ada Lovelace", null],
    ]);
    expect(report.findings[0]?.message).toContain("set pagerduty.id to PADA001");
  });

  it("a blank region matches no `where: { region }` rule", () => {
    const entries = parseRosterList(
      "- name: A\n  email: a@example.com\n  region: ''\n- name: B\n  email: b@example.com\n  region: EMEA\n",
      "team.yaml",
    );
    const members = selectRotationMembers(entries, { where: { region: "EMEA" } }, "emea");
    expect(members.map((e) => e.person.name)).toEqual(["B"]);
    expect(entries[0]?.person.region).toBeUndefined();
  });
});
