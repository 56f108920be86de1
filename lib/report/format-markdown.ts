import { groupFindingsByPerson } from "@/lib/audit/group";
import { CODE_LABELS } from "@/lib/audit/labels";
import type { AuditReport } from "@/lib/audit/types";
import { FINDING_CODES } from "@/lib/audit/types";
import { isMentionable, showControlChars, type KnownUsers } from "./escape";

/**
 * Makes untrusted text inert in GitLab-flavoured Markdown, inline (values never start a line): newlines
 * become spaces so a value cannot start a new block or a quick action, other control characters are shown
 * as escapes (`showControlChars`), emphasis, link, image, table and HTML punctuation is backslash-escaped,
 * and `@`, `#`, `!`, `~`, `%`, `$`, `&` get a zero-width joiner so no mention, reference or entity forms.
 */
export function escapeMarkdown(text: string): string {
  return showControlChars(text.replace(/[\r\n]+/g, " "))
    .replace(/[\\`*_{}[\]()<>|!]/g, (c) => `\\${c}`)
    .replace(/[@#~%$&]/g, (c) => `${c}\u200d`);
}

/**
 * Untrusted text as a GitLab Markdown code span that it cannot leave: the fence is one backtick longer than
 * the longest run of backticks inside, padded with spaces when the text starts or ends with one (CommonMark
 * strips one space each side). Newlines become spaces and controls are shown as escapes, as in
 * `escapeMarkdown`. GitLab parses no mention or reference inside a code span.
 */
export function codeSpan(text: string): string {
  const inner = showControlChars(text.replace(/[\r\n]+/g, " "));
  const longest = Math.max(0, ...(inner.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^`|`$/.test(inner) || /^ .* $/.test(inner) ? " " : "";
  return `${fence}${pad}${inner}${pad}${fence}`;
}

/**
 * A live `@username` mention when `isMentionable` (with `known`: a user GitLab resolves); otherwise the
 * escaped `@username`, which mentions no one.
 */
export function mention(username: string, known?: KnownUsers): string {
  return isMentionable(username, known) ? `@${username}` : escapeMarkdown(`@${username}`);
}

/**
 * GitLab-flavoured Markdown: a summary table by finding code, then a checklist per person with their
 * `@username` mention, so the report pasted into `## Notes` pings the people who must act. With `known`,
 * only users GitLab resolves are mentioned (see `mention`).
 */
export function formatReportMarkdown(report: AuditReport, known?: KnownUsers): string {
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
      out.push(
        `> - ${error.kind}${error.id ? ` ${codeSpan(error.id)}` : ""}: ${escapeMarkdown(error.message)}`,
      );
    }
  }
  const counted = FINDING_CODES.filter((code) => summary.byCode[code] > 0);
  if (counted.length > 0) {
    out.push("", "| Finding | Code | Count |", "|---|---|---:|");
    for (const code of counted)
      out.push(`| ${CODE_LABELS[code]} | ${codeSpan(code)} | ${summary.byCode[code]} |`);
  }
  for (const group of groupFindingsByPerson(report.findings)) {
    out.push("");
    if (group.person === null) {
      out.push("##### Schedules");
    } else {
      const handle = group.person.gitlab ? ` ${mention(group.person.gitlab, known)}` : "";
      const note = group.person.inRoster ? "" : " (not in the roster)";
      out.push(`##### ${escapeMarkdown(group.person.name)}${handle}${note}`);
    }
    for (const finding of group.findings) {
      out.push(`- [ ] ${escapeMarkdown(finding.message)} ${codeSpan(finding.code)}`);
    }
  }
  if (report.findings.length === 0) out.push("", "No findings: roster and PagerDuty agree.");
  return `${out.join("\n")}\n`;
}
