import type { AuditReport } from "@/lib/audit/types";
import type { AuditConfig, IssueExportConfig } from "@/lib/config/schema";
import type { Audit } from "@/lib/db/queries";
import { appendEvent, getAuditById, getRunReport, listRuns, setAuditIssue } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { GitLabClient } from "@/lib/gitlab/client";
import { formatReportMarkdown } from "@/lib/report/format-markdown";
import { issueTitle, placeUnderNotes } from "@/lib/report/issue-notes";
import type { AppContext } from "./context";
import { assertAuditOpen } from "./runs";

/** What an export would write: the issue's title and whole description, and the issue it goes to. */
export interface IssueExportPreview {
  title: string;
  description: string;
  /** The audit's issue when it has one (the export updates it); null when the export creates it. */
  existing: { url: string } | null;
}

export interface IssueExportResult {
  url: string;
  iid: number;
  /** True when this export created the issue; false when it updated the audit's issue. */
  created: boolean;
  audit: Audit;
}

interface ExportTarget {
  audit: Audit;
  gitlab: IssueExportConfig;
  client: GitLabClient;
  report: AuditReport;
}

/** The audit, the config's `gitlab` section, a GitLab client and the latest finished run's report. */
async function prepareExport(ctx: AppContext, auditId: string): Promise<ExportTarget> {
  const audit = await getAuditById(ctx.db, auditId);
  const config: AuditConfig = await ctx.loadConfig();
  const gitlab = config.gitlab;
  if (!gitlab) {
    throw new AppError(
      "invalid:config",
      "The audit config has no `gitlab` section (project, template): there is no issue to export to.",
    );
  }
  const client = ctx.createGitLabClient(config);
  if (!client) {
    throw new AppError(
      "invalid:environment",
      "GL_TOKEN is not set on the server: the audit cannot be exported to GitLab.",
    );
  }
  // A failed run stored no report; the newest run that did is what the issue should say.
  const run = (await listRuns(ctx.db, audit.id)).find(
    (r) => r.status === "complete" || r.status === "incomplete",
  );
  const report = run ? await getRunReport(ctx.db, run.id) : null;
  if (!report) {
    throw new AppError(
      "conflict:export",
      `${audit.name} has no finished run yet: run the audit before exporting it.`,
    );
  }
  return { audit, gitlab, client, report };
}

/** The description the report goes into: the audit's issue as it is now, else the project's template. */
async function currentDescription({ audit, gitlab, client }: ExportTarget): Promise<string> {
  if (audit.issueIid !== null) {
    return (await client.getIssue(gitlab.project, audit.issueIid)).description ?? "";
  }
  return (await client.getIssueTemplate(gitlab.project, gitlab.template)).content;
}

/**
 * What `exportToIssue` would write now, without writing it: the latest finished run's report (GitLab
 * Markdown) placed under `## Notes` of the audit's issue, or of the issue template before the first export.
 * Refused (AppError) without a `gitlab` config section, without GL_TOKEN, or before the first finished run.
 */
export async function previewIssueExport(ctx: AppContext, auditId: string): Promise<IssueExportPreview> {
  const target = await prepareExport(ctx, auditId);
  const description = placeUnderNotes(await currentDescription(target), formatReportMarkdown(target.report));
  return {
    title: issueTitle(target.audit.name),
    description,
    existing: target.audit.issueUrl !== null ? { url: target.audit.issueUrl } : null,
  };
}

// Exports of one audit in this process run one after the other, so two clicks cannot create two issues.
const exportsInFlight = new Map<string, Promise<unknown>>();

/**
 * Writes the latest finished run's report into the audit's GitLab issue. The first export creates the
 * issue from the project's template (title `PagerDuty audit FY27-Q3`, the config's labels and assignee)
 * and links it to the audit; later exports rewrite only the marked report block under `## Notes` of that
 * same issue, re-reading its description first so edits people made elsewhere in it are kept. Logs an
 * `export_issue` event with the URL. Refused like `previewIssueExport`, and for a signed-off audit.
 */
export async function exportToIssue(
  ctx: AppContext,
  input: { auditId: string; actor: string },
): Promise<IssueExportResult> {
  const previous = exportsInFlight.get(input.auditId) ?? Promise.resolve();
  const work = previous.catch(() => undefined).then(() => writeExport(ctx, input));
  exportsInFlight.set(input.auditId, work);
  try {
    return await work;
  } finally {
    if (exportsInFlight.get(input.auditId) === work) exportsInFlight.delete(input.auditId);
  }
}

async function writeExport(
  ctx: AppContext,
  input: { auditId: string; actor: string },
): Promise<IssueExportResult> {
  const target = await prepareExport(ctx, input.auditId);
  const { gitlab, client } = target;
  assertAuditOpen(target.audit);
  const description = placeUnderNotes(await currentDescription(target), formatReportMarkdown(target.report));

  const existingIid = target.audit.issueIid;
  const created = existingIid === null;
  const issue = created
    ? await client.createIssue(gitlab.project, {
        title: issueTitle(target.audit.name),
        description,
        labels: gitlab.labels.length > 0 ? gitlab.labels : undefined,
        assigneeIds: gitlab.assignee ? [await assigneeId(client, gitlab.assignee)] : undefined,
      })
    : await client.updateIssue(gitlab.project, existingIid, { description });
  const audit = created
    ? await setAuditIssue(ctx.db, { auditId: target.audit.id, issueUrl: issue.web_url, issueIid: issue.iid })
    : target.audit;
  await appendEvent(ctx.db, {
    auditId: audit.id,
    actor: input.actor,
    at: ctx.clock.now(),
    action: "export_issue",
    detail: { url: issue.web_url, iid: issue.iid, created },
  });
  return { url: issue.web_url, iid: issue.iid, created, audit };
}

async function assigneeId(client: GitLabClient, username: string): Promise<number> {
  const user = await client.findUserByUsername(username);
  if (!user) {
    throw new AppError(
      "invalid:config",
      `The config's gitlab.assignee (${username}) is not a user of ${client.baseUrl}.`,
    );
  }
  return user.id;
}
