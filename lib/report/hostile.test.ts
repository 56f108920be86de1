import { describe, expect, it } from "vitest";
import type { AuditReport, Finding, FindingPerson } from "@/lib/audit/types";
import { formatReport } from "./format";
import { escapeText, textMention } from "./escape";
import { codeSpan, escapeMarkdown, mention } from "./format-markdown";

/**
 * Names people edit themselves (a PagerDuty display name, a roster name, a schedule name) and a failure
 * naming a roster PagerDuty ID, each written to break out of the report: quick actions on a line of their
 * own, `@all`/`@here`, control characters, bidi overrides and backticks.
 */
const DISPLAY_NAME = "Zed\n/close\n/assign @sreyes @all";
const ROSTER_NAME = "  /label ~urgent\u2028@here \u202Eevil\u202C\u0007 \\n";
const SCHEDULE_NAME = "Nights\r\n /unassign @all\u2066x\u2069\u0085";
const PD_ID = "P1`` `@all` ``\n/close";

function personOf(name: string, gitlab: string | null, inRoster: boolean, id: string): FindingPerson {
  return { name, email: null, gitlab, pagerdutyId: id, inRoster };
}

function findingOf(person: FindingPerson | null, message: string, key: string): Finding {
  return {
    key,
    code: "not_in_roster",
    severity: "warning",
    person,
    schedule: { id: "PSCHED1", name: SCHEDULE_NAME },
    rotation: null,
    message,
    evidence: {},
  };
}

const HOSTILE: AuditReport = {
  version: 1,
  complete: false,
  errors: [{ kind: "user", id: PD_ID, message: "timed out\n/close", withheld: [] }],
  generatedAt: "2026-11-24T12:00:00.000Z",
  findings: [
    findingOf(
      personOf(DISPLAY_NAME, null, false, "PZED001"),
      `On schedule ${SCHEDULE_NAME}, but matches no roster entry (PagerDuty user PZED001).`,
      "a",
    ),
    findingOf(personOf(ROSTER_NAME, "all", true, "PROS001"), `/reopen ${ROSTER_NAME}`, "b"),
    findingOf(personOf("Ada", "ada", true, "PADA001"), "Has not accepted the PagerDuty invitation.", "c"),
  ],
  summary: {
    rosterPeople: 2,
    exemptPeople: 0,
    auditedPeople: 2,
    peopleWithFindings: 3,
    findings: 3,
    byCode: {} as AuditReport["summary"]["byCode"],
    schedules: { configured: 1, read: 1 },
  } as AuditReport["summary"],
  coverage: [],
};

/** Raw characters that must never reach a paste: C0/C1 but newline, U+2028/2029 and bidi controls. */
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("the text report of hostile names", () => {
  const text = formatReport(HOSTILE, "text");
  const lines = text.split("\n");

  it("is golden: every value on its own line, escaped", () => {
    expect(lines.slice(2)).toEqual([
      "",
      "INCOMPLETE: some PagerDuty data could not be read; findings that depend on it are withheld.",
      "- user P1`` `@\u200dall` ``\\n/close: timed out\\n/close",
      "",
      "Zed\\n/close\\n/assign @\u200dsreyes @\u200dall [not in roster]",
      "- On schedule Nights\\r\\n /unassign @\u200dall\\u2066x\\u2069\\u0085, but matches no roster entry (PagerDuty user PZED001).",
      "",
      "  \\/label ~urgent\\u2028@\u200dhere \\u202Eevil\\u202C\\u0007 \\\\n (@\u200dall)",
      "- \\/reopen   /label ~urgent\\u2028@\u200dhere \\u202Eevil\\u202C\\u0007 \\\\n",
      "",
      "Ada (@ada)",
      "- Has not accepted the PagerDuty invitation.",
      "",
    ]);
  });

  it("starts no line with a quick action, mentions no one but real usernames, and shows controls", () => {
    for (const line of lines) expect(line).not.toMatch(/^\s*\//);
    expect(text.match(/@[A-Za-z0-9_]/g)).toEqual(["@a"]);
    expect(text).not.toMatch(RAW_CONTROLS);
  });
});

describe("the markdown report of hostile names", () => {
  const md = formatReport(HOSTILE, "markdown");

  it("keeps every value inline and inert, and shows controls", () => {
    for (const line of md.split("\n")) expect(line).not.toMatch(/^\s*\//);
    // Outside the code span of the Incomplete list, where GitLab parses no mention.
    const prose = md.replace(/```.*```/, "");
    expect(prose.match(/@[A-Za-z0-9_]/g)).toEqual(["@a"]);
    expect(md).not.toMatch(RAW_CONTROLS);
    expect(md).toContain(
      "##### Zed /close /assign @\u200dsreyes @\u200dall (not in the roster)\n" +
        "- [ ] On schedule Nights  /unassign @\u200dall\\\\u2066x\\\\u2069\\\\u0085, but matches no roster entry \\(PagerDuty user PZED001\\). `not_in_roster`",
    );
  });

  it("is golden for the Incomplete list: a roster PagerDuty ID stays inside its code span", () => {
    expect(md).toContain("> - user ```P1`` `@all` `` /close```: timed out /close\n");
  });
});

describe("the CSV report of hostile names", () => {
  const rows = formatReport(HOSTILE, "csv").split("\r\n");

  it("shows controls as escapes and defuses formulas", () => {
    expect(rows[1]).toBe(
      'not_in_roster,warning,Zed\\n/close\\n/assign @sreyes @all,,,PZED001,false,PSCHED1,Nights\\r\\n /unassign @all\\u2066x\\u2069\\u0085,,"On schedule Nights\\r\\n /unassign @all\\u2066x\\u2069\\u0085, but matches no roster entry (PagerDuty user PZED001)."',
    );
    expect(rows[2]?.split(",").slice(2, 6)).toEqual([
      "  /label ~urgent\\u2028@here \\u202Eevil\\u202C\\u0007 \\n",
      "",
      "all",
      "PROS001",
    ]);
    expect(rows.join("\n")).not.toMatch(RAW_CONTROLS);
  });
});

describe("the JSON report of hostile names", () => {
  it("writes every control character as a JSON escape, and reads back the same report", () => {
    const json = formatReport({ ...HOSTILE, generatedAt: "\u009b31m\u0085\u2028\u202e\u2066\u061c" }, "json");
    expect(json).not.toMatch(RAW_CONTROLS);
    expect(json).not.toMatch(/[\u0085\u061c\u200e\u200f]/);
    expect(json).toContain('"generatedAt": "\\u009b31m\\u0085\\u2028\\u202e\\u2066\\u061c"');
    expect(JSON.parse(json)).toEqual({ ...HOSTILE, generatedAt: "\u009b31m\u0085\u2028\u202e\u2066\u061c" });
  });
});

describe("code spans", () => {
  it.each([
    ["plain", "`plain`"],
    ["a`b", "``a`b``"],
    ["``x``", "``` ``x`` ```"],
    ["`", "`` ` ``"],
    ["line\nbreak", "`line break`"],
    ["\u202Eevil", "`\\u202Eevil`"],
  ])("codeSpan(%j) = %j", (input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });

  it("escapeMarkdown shows bidi and separator controls", () => {
    expect(escapeMarkdown("a\u2028b\u202Ec")).toBe("a\\\\u2028b\\\\u202Ec");
  });
});

describe("mentions and plain text", () => {
  const known = new Set(["jdoe"]);
  it.each([
    ["jdoe", undefined, "@jdoe"],
    ["JDoe", known, "@JDoe"],
    ["gitlab-com", undefined, "@gitlab-com"],
    ["gitlab-com", known, "@\u200dgitlab-com"],
    ["gitlab-com/support", undefined, "@\u200dgitlab-com/support"],
    ["here", known, "@\u200dhere"],
  ])("mention(%j, %j) = %j", (username, users, expected) => {
    expect(mention(username, users)).toBe(expected);
    expect(textMention(username, users)).toBe(expected);
  });

  it.each([
    ["/close", "\\/close"],
    [" \t/close", " \\t/close"],
    ["a/b", "a/b"],
    ["x\\n", "x\\\\n"],
    ["@all", "@\u200dall"],
    ["(@all)", "(@\u200dall)"],
    ["é@all", "é@\u200dall"],
    // GitLab reads a mention only where no ASCII word character precedes the @: an address stays as typed.
    ["ana.lima@example.com", "ana.lima@example.com"],
    ["\u001b[2J", "\\u001B[2J"],
  ])("escapeText(%j) = %j", (input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });
});
