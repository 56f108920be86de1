import type { AuditReport } from "@/lib/audit/types";
import { escapeJsonControls, type KnownUsers } from "./escape";
import { formatReportCsv } from "./format-csv";
import { formatReportMarkdown } from "./format-markdown";
import { formatReportText } from "./format-text";
import type { ReportFormat } from "./formats";

/**
 * Renders a report in one of the CLI's formats, each safe to print or paste (see `./escape`); `known`, when
 * GitLab was asked, limits the text and Markdown mentions to its users. JSON is the versioned contract
 * (`version: 1`).
 */
export function formatReport(report: AuditReport, format: ReportFormat, known?: KnownUsers): string {
  switch (format) {
    case "text":
      return formatReportText(report, known);
    case "markdown":
      return formatReportMarkdown(report, known);
    case "csv":
      return formatReportCsv(report);
    case "json":
      return `${escapeJsonControls(JSON.stringify(report, null, 2))}\n`;
  }
}
