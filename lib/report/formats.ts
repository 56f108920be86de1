/** The report formats the CLI offers; apart from their renderers so the CLI's `--help` loads none of them. */
export const REPORT_FORMATS = ["text", "markdown", "json", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
