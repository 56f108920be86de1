import { groupFindingsByPerson } from "@/lib/audit/group";
import { CODE_LABELS } from "@/lib/audit/labels";
import type { AuditReport } from "@/lib/audit/types";
import { FINDING_CODES } from "@/lib/audit/types";

/**
 * Makes untrusted text inert in GitLab-flavoured Markdown, inline (values never start a line): emphasis,
 * link, image, table and HTML punctuation is backslash-escaped, and `@`, `#`, `!`, `~`, `%`, `$`, `&` get a zero-width joiner so no mention,
 * reference or entity forms. Newlines become spaces so a value cannot start a new block.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()<>|!]/g, (c) => `\\${c}`)
    .replace(/[@#~%$&]/g, (c) => `${c}\u200d`);
}

/** A live `@username` mention, only for a username of GitLab's allowed characters; otherwise escaped text. */
export function mention(username: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(username) && !/^(all|here)$/i.test(username)
    ? `@${username}`
    : escapeMarkdown(`@${username}`);
}

/**
 * GitLab-flavoured Markdown: a summary table by finding code, then a checklist per person with their
 * `@username` mention, so the report pasted into `## Notes` pings the people who must act.
 */
export function formatReportMarkdown(report: AuditReport): string {
  const out: string[] = [];
  const { summary } = report;
  out.push(`#### PagerDuty audit findings (${escapeMarkdown(report.generatedAt)})`, "");
  out.push(
    `**${summary.findings}** finding(s) for **${summary.peopleWithFindings}** of ${summary.auditedPeople} people audited ` +
      `(${summary.exemptPeople} exempt); ${summary.schedules.read} of ${summary.schedules.configured} schedules read.`,
  );
  if (!report.complete) {
    out.push(
      "",
      "> **Incomplete:** some PagerDuty data could not be read; findings that depend on it are withheld.",
    );
    for (const error of report.errors) {
      out.push(`> - ${error.kind}${error.id ? ` \`${error.id}\`` : ""}: ${escapeMarkdown(error.message)}`);
    }
  }
  const counted = FINDING_CODES.filter((code) => summary.byCode[code] > 0);
  if (counted.length > 0) {
    out.push("", "| Finding | Code | Count |", "|---|---|---:|");
    for (const code of counted) out.push(`| ${CODE_LABELS[code]} | \`${code}\` | ${summary.byCode[code]} |`);
  }
  for (const group of groupFindingsByPerson(report.findings)) {
    out.push("");
    if (group.person === null) {
      out.push("##### Schedules");
    } else {
      const handle = group.person.gitlab ? ` ${mention(group.person.gitlab)}` : "";
      const note = group.person.inRoster ? "" : " (not in the roster)";
      out.push(`##### ${escapeMarkdown(group.person.name)}${handle}${note}`);
    }
    for (const finding of group.findings) {
      out.push(`- [ ] ${escapeMarkdown(finding.message)} \`${finding.code}\``);
    }
  }
  if (report.findings.length === 0) out.push("", "No findings: roster and PagerDuty agree.");
  return `${out.join("\n")}\n`;
}
