import type { AuditReport } from "@/lib/audit/types";
import { showControlChars } from "./escape";

const COLUMNS = [
  "code",
  "severity",
  "person_name",
  "person_email",
  "gitlab",
  "pagerduty_id",
  "in_roster",
  "schedule_id",
  "schedule_name",
  "rotation",
  "message",
] as const;

/**
 * Quotes a CSV cell (RFC 4180) and defuses spreadsheet formulas: control characters are shown as escapes
 * (`\n`, `\u202E`), then a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
 * apostrophe, so a hostile roster name cannot run in Excel nor read differently from what it is.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = showControlChars(String(value));
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per finding, with a header row; CRLF line ends as RFC 4180 asks. */
export function formatReportCsv(report: AuditReport): string {
  const rows = report.findings.map((f) => [
    f.code,
    f.severity,
    f.person?.name ?? null,
    f.person?.email ?? null,
    f.person?.gitlab ?? null,
    f.person?.pagerdutyId ?? null,
    f.person ? f.person.inRoster : null,
    f.schedule?.id ?? null,
    f.schedule?.name ?? null,
    f.rotation,
    f.message,
  ]);
  return [COLUMNS.join(","), ...rows.map((row) => row.map(csvCell).join(","))].join("\r\n") + "\r\n";
}
