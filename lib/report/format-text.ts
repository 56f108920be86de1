import { groupFindingsByPerson } from "@/lib/audit/group";
import type { AuditReport } from "@/lib/audit/types";
import { escapeText, textMention, type KnownUsers } from "./escape";

/**
 * Plain text for the audit issue's `## Notes`, laid out as the old script printed it: one block per
 * person with name and GitLab handle, then a line per note. Paste-safe: every value people edit is
 * `escapeText`ed, so it stays on its line, starts no quick action and mentions no one; a handle is live
 * only when `isMentionable` (with `known`, when GitLab was asked who its users are).
 */
export function formatReportText(report: AuditReport, known?: KnownUsers): string {
  const out: string[] = [];
  const { summary } = report;
  out.push(`PagerDuty audit, ${escapeText(report.generatedAt)}`);
  out.push(
    `${summary.findings} finding(s) for ${summary.peopleWithFindings} of ${summary.auditedPeople} people audited` +
      ` (${summary.exemptPeople} exempt); ${summary.schedules.read} of ${summary.schedules.configured} schedules read.`,
  );
  if (!report.complete) {
    out.push(
      "",
      "INCOMPLETE: some PagerDuty data could not be read; findings that depend on it are withheld.",
    );
    for (const error of report.errors)
      out.push(`- ${error.kind}${error.id ? ` ${escapeText(error.id)}` : ""}: ${escapeText(error.message)}`);
  }
  if (report.findings.length === 0) {
    out.push(
      "",
      report.complete ? "No findings: roster and PagerDuty agree." : "No findings in what could be read.",
    );
    return `${out.join("\n")}\n`;
  }
  for (const group of groupFindingsByPerson(report.findings)) {
    out.push("");
    if (group.person === null) {
      out.push("Schedules");
    } else {
      const handle = group.person.gitlab ? ` (${textMention(group.person.gitlab, known)})` : "";
      const where = group.person.inRoster ? "" : " [not in roster]";
      out.push(`${escapeText(group.person.name)}${handle}${where}`);
    }
    for (const finding of group.findings) out.push(`- ${escapeText(finding.message)}`);
  }
  return `${out.join("\n")}\n`;
}
