import { groupFindingsByPerson } from "@/lib/audit/group";
import type { AuditReport } from "@/lib/audit/types";

/**
 * Plain text for the audit issue's `## Notes`, laid out as the old script printed it: one block per
 * person with name and GitLab handle, then a line per note.
 */
export function formatReportText(report: AuditReport): string {
  const out: string[] = [];
  const { summary } = report;
  out.push(`PagerDuty audit, ${report.generatedAt}`);
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
      out.push(`- ${error.kind}${error.id ? ` ${error.id}` : ""}: ${error.message}`);
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
      const handle = group.person.gitlab ? ` (@${group.person.gitlab})` : "";
      const where = group.person.inRoster ? "" : " [not in roster]";
      out.push(`${group.person.name}${handle}${where}`);
    }
    for (const finding of group.findings) out.push(`- ${finding.message}`);
  }
  return `${out.join("\n")}\n`;
}
