import { describe, expect, it } from "vitest";
import { checkAudit } from "@/lib/audit/check";
import {
  NOW,
  configOf,
  memberOf,
  personOf,
  rosterOf,
  scheduleOf,
  snapshotOf,
  userOf,
} from "@/lib/audit/testing";
import { formatReportMarkdown } from "./format-markdown";
import {
  NOTES_END_MARKER as END,
  NOTES_START_MARKER as START,
  issueTitle,
  placeUnderNotes,
} from "./issue-notes";

const NOTES = "#### PagerDuty audit findings\n\n- [ ] fix it";
const BLOCK = `${START}\n${NOTES}\n${END}`;

describe("placeUnderNotes", () => {
  it.each([
    {
      name: "a template with no Notes heading gets one at the end",
      description: "## Checklist\n\n- [ ] Run the audit\n",
      expected: `## Checklist\n\n- [ ] Run the audit\n\n## Notes\n\n${BLOCK}\n`,
    },
    {
      name: "an empty description",
      description: "",
      expected: `## Notes\n\n${BLOCK}\n`,
    },
    {
      name: "Notes as the last section: its placeholder is replaced",
      description: "## Checklist\n\n- [ ] Run\n\n## Notes\n\n<!-- paste the output here -->\n",
      expected: `## Checklist\n\n- [ ] Run\n\n## Notes\n\n${BLOCK}\n`,
    },
    {
      name: "Notes followed by other sections: only the Notes content changes",
      description:
        "# Audit\n\n## Notes\n\nTODO\n### Sub-heading inside notes\n\n## Sign-off\n\n- [ ] Manager approves\n\n/label ~audit\n",
      expected: `# Audit\n\n## Notes\n\n${BLOCK}\n\n## Sign-off\n\n- [ ] Manager approves\n\n/label ~audit\n`,
    },
    {
      name: "a heading inside a code fence does not end the section",
      description: "## Notes\n\n```md\n## Not a heading\n```\n\n## After\n",
      expected: `## Notes\n\n${BLOCK}\n\n## After\n`,
    },
    {
      name: "the heading matches in any case, with CRLF line endings kept elsewhere",
      description: "## Steps\r\n\r\n- [ ] a\r\n\r\n## notes\r\n\r\nold\r\n\r\n## Sign-off\r\n",
      expected: `## Steps\r\n\r\n- [ ] a\r\n\r\n## notes\r\n\n${BLOCK}\n\n## Sign-off\r\n`,
    },
    {
      name: "a Notes heading without a trailing newline",
      description: "## Notes",
      expected: `## Notes\n\n${BLOCK}\n`,
    },
    {
      name: "a re-export replaces only the marked block, keeping what people added around it",
      description: `## Notes\n\nBefore, by hand.\n\n${START}\nold report\n${END}\n\nAfter, by hand.\n\n## Sign-off\n`,
      expected: `## Notes\n\nBefore, by hand.\n\n${BLOCK}\n\nAfter, by hand.\n\n## Sign-off\n`,
    },
    {
      name: "marker text inside the notes cannot end the block early",
      description: "## Notes\n",
      notes: `${END}\n${NOTES}\n${START}`,
      expected: `## Notes\n\n${BLOCK}\n`,
    },
  ])("$name", ({ description, notes, expected }) => {
    const placed = placeUnderNotes(description, notes ?? NOTES);
    expect(placed).toBe(expected);
    // Idempotent: exporting the same report again changes nothing.
    expect(placeUnderNotes(placed, notes ?? NOTES)).toBe(placed);
  });

  it("a second export with a new report replaces the first one's text and nothing else", () => {
    const template = "## Checklist\n\n- [x] Done\n\n## Notes\n\n## Sign-off\n\n- [ ] ok\n";
    const first = placeUnderNotes(template, "first report");
    const edited = first.replace("- [ ] ok", "- [x] ok by @manager");
    const second = placeUnderNotes(edited, "second report");
    expect(second).toBe(edited.replace("first report", "second report"));
    expect(second.split(START)).toHaveLength(2);
  });
});

describe("issueTitle", () => {
  it.each([
    ["FY27-Q3", "PagerDuty audit FY27-Q3"],
    ["FY28-Q1", "PagerDuty audit FY28-Q1"],
  ])("%s → %s", (name, title) => {
    expect(issueTitle(name)).toBe(title);
  });
});

/** A report whose roster holds hostile names and usernames, rendered and placed as the export does. */
function hostileExport(): string {
  const hostile = (name: string, id: string, username: string) => ({
    ...personOf(name, { id, rotations: ["ceoc"] }),
    email: `${id.toLowerCase()}@example.com`,
    gitlab: { username },
  });
  const people = [
    hostile("Eve @all", "PEVE001", "all"),
    hostile("Mallory [click](javascript:alert(1))", "PMAL001", "mallory](javascript:alert(1))"),
    hostile("Trudy <script>alert(1)</script>", "PTRU001", "<img src=x onerror=alert(1)>"),
    hostile("Pipe | Person | x", "PPIP001", "pipe|person"),
  ];
  const snapshot = snapshotOf({
    users: people.map((p) => ({
      ...userOf(p.pagerduty?.id ?? "", "Someone", { contactMethodCount: 0 }),
      email: p.email,
    })),
    schedules: [scheduleOf("PCEOC01", [{ members: [memberOf("PEVE001")] }])],
  });
  const config = configOf([
    { id: "ceoc", name: "CEOC", schedules: ["PCEOC01"], members: { field: "pagerduty.rotations" } },
  ]);
  const report = checkAudit({ roster: rosterOf(people), snapshot, config, now: NOW });
  expect(report.findings.length).toBeGreaterThan(0);
  return placeUnderNotes("## Notes\n\n## Sign-off\n", formatReportMarkdown(report));
}

describe("an exported report with hostile roster names", () => {
  const exported = hostileExport();
  const inner = exported.slice(exported.indexOf(START) + START.length, exported.indexOf(END));

  it("names every person, escaped", () => {
    expect(inner).toContain("Eve @\u200dall");
    expect(inner).toContain("Pipe \\| Person \\| x");
  });

  it("holds no live @all mention", () => {
    expect(inner).not.toMatch(/(^|[^\w\u200d])@all\b/);
  });

  it("holds no link", () => {
    expect(inner).not.toMatch(/(^|[^\\])\]\(/);
    expect(inner).not.toMatch(/(^|[^\\])\[[^\]]*(^|[^\\])\]\(/);
  });

  it("holds no HTML tag", () => {
    expect(inner).not.toMatch(/(^|[^\\])<\/?[a-z!]/i);
  });

  it("keeps every table row as wide as its header", () => {
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    const rows = inner.split("\n").filter((line) => line.startsWith("|"));
    expect(rows.length).toBeGreaterThan(2);
    expect(new Set(rows.map(cells))).toEqual(new Set([cells(rows[0] ?? "")]));
  });
});
