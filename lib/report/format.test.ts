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
import type { AuditReport } from "@/lib/audit/types";
import { csvCell } from "./format-csv";
import { escapeMarkdown, mention } from "./format-markdown";
import { formatReport } from "./format";

/** A small org with one finding of each kind a person can have, plus a hostile name. */
function sampleReport(): AuditReport {
  const people = [
    personOf("Alice Adams", { id: null, rotations: ["ceoc"] }),
    personOf("Bob Brown", { id: "PBOB001", rotations: ["ceoc"] }),
    {
      ...personOf("Eve <script>alert(1)</script> @all [x](javascript:alert(1)) | =cmd", { id: "PEVE001" }),
      email: "eve@example.com",
    },
  ];
  const snapshot = snapshotOf({
    users: [
      userOf("PBOB001", "Bob Brown", { contactMethodCount: 0 }),
      { ...userOf("PEVE001", "Eve"), email: "eve@example.com" },
      userOf("PGONE01", "Gone Person"),
    ],
    schedules: [
      scheduleOf("PCEOC01", [{ members: [memberOf("PBOB001"), memberOf("PEVE001"), memberOf("PGONE01")] }]),
    ],
    missingScheduleIds: ["PMISS01"],
  });
  const config = configOf([
    {
      id: "ceoc",
      name: "CEOC",
      schedules: ["PCEOC01", "PMISS01"],
      members: { field: "pagerduty.rotations" },
    },
  ]);
  return checkAudit({ roster: rosterOf(people), snapshot, config, now: NOW });
}

describe("formatReport", () => {
  const report = sampleReport();

  it("text: one block per person with GitLab handle, then the schedule notes", () => {
    const text = formatReport(report, "text");
    expect(text).toContain("\nAlice Adams (@aliceadams)\n- No PagerDuty ID in the roster.");
    expect(text).toContain("- In CEOC per the roster, but on none of its schedules (Schedule PCEOC01).");
    expect(text).toContain("\nBob Brown (@bobbrown)\n- PagerDuty user PBOB001 has no contact methods");
    expect(text).toContain(
      "\nGone Person [not in roster]\n- On schedule Schedule PCEOC01, but matches no roster entry",
    );
    expect(text).toMatch(/\nSchedules\n- Schedule PMISS01 of rotation CEOC exists neither/);
    expect(text.indexOf("Alice Adams")).toBeLessThan(text.indexOf("Bob Brown"));
  });

  it("markdown: summary table, checklists and live mentions only for real usernames", () => {
    const md = formatReport(report, "markdown");
    expect(md).toContain("| Finding | Code | Count |");
    expect(md).toContain("| No PagerDuty ID in the roster | `missing_pagerduty_id` | 1 |");
    expect(md).toContain(
      "##### Alice Adams @aliceadams\n- [ ] No PagerDuty ID in the roster. `missing_pagerduty_id`",
    );
    // The hostile name is inert: no tag, no link, no @all mention, no table cell break.
    expect(md).not.toContain("<script>");
    expect(md).not.toContain("](javascript:");
    expect(md).not.toContain("@all");
    expect(md).not.toMatch(/[^\\]\| =cmd/);
  });

  it("csv: a header, one row per finding, formulas defused", () => {
    const csv = formatReport(report, "csv");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "code,severity,person_name,person_email,gitlab,pagerduty_id,in_roster,schedule_id,schedule_name,rotation,message",
    );
    expect(lines).toHaveLength(report.findings.length + 1);
    expect(csv).toContain(
      "missing_pagerduty_id,error,Alice Adams,alice.adams@example.com,aliceadams,,true,,,,",
    );
  });

  it("json: the versioned contract", () => {
    const parsed = JSON.parse(formatReport(report, "json")) as AuditReport;
    expect(parsed.version).toBe(1);
    expect(parsed.complete).toBe(true);
    expect(parsed.findings[0]).toEqual(
      expect.objectContaining({
        code: expect.any(String),
        severity: expect.any(String),
        message: expect.any(String),
      }),
    );
    expect(Object.keys(parsed).sort()).toEqual([
      "complete",
      "coverage",
      "errors",
      "findings",
      "generatedAt",
      "summary",
      "version",
      "warnings",
    ]);
  });
});

describe("escaping", () => {
  it.each([
    ["=SUM(A1)", "'=SUM(A1)"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@cmd", "'@cmd"],
    ['say "hi", ok', '"say ""hi"", ok"'],
    ["plain", "plain"],
    [null, ""],
    [3, "3"],
  ])("csvCell(%j) = %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ["@all", "@\u200dall"],
    ["[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"],
    ["<b>", "\\<b\\>"],
    ["a|b", "a\\|b"],
    ["line\nbreak", "line break"],
  ])("escapeMarkdown(%j) = %j", (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it.each([
    ["jdoe", "@jdoe"],
    ["j.doe-2", "@j.doe-2"],
    ["all", "@\u200dall"],
    ["x y", "@\u200dx y"],
  ])("mention(%j) = %j", (input, expected) => {
    expect(mention(input)).toBe(expected);
  });
});
