import { randomUUID } from "node:crypto";
import type { AuditReport } from "@/lib/audit/types";
import type { AuditConfig, IssueExportConfig } from "@/lib/config/schema";
import type { Audit, Db } from "@/lib/db/queries";
import {
  appendEvent,
  claimAuditIssue,
  getAuditById,
  getRunReport,
  linkClaimedAuditIssue,
  listAudits,
  listRuns,
  releaseAuditIssueClaim,
  renewAuditIssueClaim,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { LOST_ANSWER_WINDOW_MS, mayHaveBeenApplied, type GitLabClient } from "@/lib/gitlab/client";
import type { Issue } from "@/lib/gitlab/schemas";
import { formatReportMarkdown } from "@/lib/report/format-markdown";
import { issueTitle, placeUnderNotes } from "@/lib/report/issue-notes";
import type { AppContext } from "./context";
import { findKnownUsers, mentionCandidatesOf } from "./mentions";
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
  /**
   * What the export could not do as configured but went on without, for the person exporting (the
   * config's assignee is blocked on GitLab, a roster username is a group and is not mentioned). Empty when
   * all went as configured.
   */
  warnings: string[];
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
 * The report as GitLab Markdown for the issue's Notes, where only the people GitLab resolves to a user are
 * live mentions (see `findKnownUsers`), with a warning for each username written inert.
 */
async function reportNotes({ client, report }: ExportTarget): Promise<{ notes: string; warnings: string[] }> {
  const { known, warnings } = await findKnownUsers(client, mentionCandidatesOf(report));
  return { notes: formatReportMarkdown(report, known), warnings };
}

/**
 * What `exportToIssue` would write now, without writing it: the latest finished run's report (GitLab
 * Markdown) placed under `## Notes` of the audit's issue, or of the issue template before the first export.
 * Refused (AppError) without a `gitlab` config section, without GL_TOKEN, or before the first finished run.
 */
export async function previewIssueExport(ctx: AppContext, auditId: string): Promise<IssueExportPreview> {
  const target = await prepareExport(ctx, auditId);
  const { notes } = await reportNotes(target);
  const description = placeUnderNotes(await currentDescription(target), notes);
  return {
    title: issueTitle(target.audit.name),
    description,
    existing: target.audit.issueUrl !== null ? { url: target.audit.issueUrl } : null,
  };
}

/**
 * A first export's claim on creating the issue that has not been renewed for this long is taken to belong
 * to an app instance that died, and another export may take it over.
 */
export const ISSUE_CLAIM_STALE_AFTER_MS = 2 * 60_000;
/** How often a first export renews its claim while it talks to GitLab (a 429 may make it wait minutes). */
const ISSUE_CLAIM_RENEW_EVERY_MS = 30_000;

// Exports of one audit through one database handle (one app instance) run one after the other, so two
// clicks there wait for each other and the second updates the issue the first created. Other instances
// are kept from creating a second issue by the claim stored in the database.
const exportsInFlight = new WeakMap<Db, Map<string, Promise<unknown>>>();

/** Which audit to export, and who asks: `actor` is the display name shown, `actorKey` their person key. */
export interface ExportInput {
  auditId: string;
  actor: string;
  actorKey?: string | null;
}

/**
 * Writes the latest finished run's report into the audit's GitLab issue. The first export creates the
 * issue from the project's template (title `PagerDuty audit FY27-Q3`, the config's labels and assignee)
 * and links it to the audit; later exports rewrite only the marked report block under `## Notes` of that
 * same issue, re-reading its description first so edits people made elsewhere in it are kept. Logs an
 * `export_issue` event with the URL. Refused like `previewIssueExport`, and for a signed-off audit. While
 * another app instance is creating the audit's issue, refused with `conflict:export` (try again in a
 * moment: the retry updates that issue).
 */
export async function exportToIssue(ctx: AppContext, input: ExportInput): Promise<IssueExportResult> {
  let inFlight = exportsInFlight.get(ctx.db);
  if (!inFlight) exportsInFlight.set(ctx.db, (inFlight = new Map()));
  const running = inFlight;
  const previous = running.get(input.auditId) ?? Promise.resolve();
  const work = previous.catch(() => undefined).then(() => writeExport(ctx, input));
  running.set(input.auditId, work);
  try {
    return await work;
  } finally {
    if (running.get(input.auditId) === work) running.delete(input.auditId);
  }
}

async function writeExport(ctx: AppContext, input: ExportInput): Promise<IssueExportResult> {
  const target = await prepareExport(ctx, input.auditId);
  assertAuditOpen(target.audit);
  if (target.audit.issueIid !== null) {
    return updateAuditIssue(ctx, target, target.audit.issueIid, input);
  }

  const claimId = randomUUID();
  // Claims live on the wall clock, like run heartbeats: a demo clock moved forward (or another instance's
  // demo offset) must not make a live export's claim look stale.
  const claimed = await claimAuditIssue(ctx.db, {
    auditId: target.audit.id,
    claimId,
    now: ctx.clock.wallNow(),
    staleAfterMs: ISSUE_CLAIM_STALE_AFTER_MS,
  });
  if (!claimed) {
    // Another instance claimed it after we read the audit. If it has linked its issue by now, update that.
    const audit = await getAuditById(ctx.db, target.audit.id);
    if (audit.issueIid !== null) {
      return updateAuditIssue(ctx, { ...target, audit }, audit.issueIid, input);
    }
    throw new AppError(
      "conflict:export",
      "An export of this audit is already in progress; try again in a moment.",
    );
  }
  return createAuditIssue(ctx, target, claimId, input);
}

async function updateAuditIssue(
  ctx: AppContext,
  target: ExportTarget,
  iid: number,
  by: ExportInput,
): Promise<IssueExportResult> {
  const { notes, warnings } = await reportNotes(target);
  const description = placeUnderNotes(await currentDescription(target), notes);
  const issue = await target.client.updateIssue(target.gitlab.project, iid, { description });
  return recordExport(
    ctx,
    target.audit,
    { url: issue.web_url, iid: issue.iid, created: false },
    by,
    warnings,
  );
}

/** Creates the issue under the claim `claimId`, renewing it meanwhile; a failure releases the claim. */
async function createAuditIssue(
  ctx: AppContext,
  target: ExportTarget,
  claimId: string,
  by: ExportInput,
): Promise<IssueExportResult> {
  const claim = { auditId: target.audit.id, claimId };
  const renew = setInterval(() => {
    renewAuditIssueClaim(ctx.db, { ...claim, now: ctx.clock.wallNow() }).catch((error: unknown) =>
      ctx.log(`Could not renew the issue claim of audit ${target.audit.id}`, error),
    );
  }, ISSUE_CLAIM_RENEW_EVERY_MS);
  renew.unref();
  const { issue, warnings } = await createIssueFromTemplate(ctx, target)
    .catch(async (error: unknown) => {
      await releaseAuditIssueClaim(ctx.db, claim).catch((releaseError: unknown) =>
        ctx.log(`Could not release the issue claim of audit ${target.audit.id}`, releaseError),
      );
      throw error;
    })
    .finally(() => clearInterval(renew));
  const audit = await linkClaimedAuditIssue(ctx.db, {
    ...claim,
    issueUrl: issue.web_url,
    issueIid: issue.iid,
  });
  if (!audit) {
    // Only when this instance could not renew its claim for ISSUE_CLAIM_STALE_AFTER_MS (the database was
    // unreachable, the process stalled) and another export took it over.
    ctx.log(`Issue ${issue.web_url} was created but not linked to audit ${target.audit.id}`);
    throw new AppError(
      "conflict:export",
      `The issue ${issue.web_url} was created, but another export of this audit took over meanwhile, so it is not linked to the audit: check the audit's issue and close the extra one.`,
    );
  }
  return recordExport(ctx, audit, { url: issue.web_url, iid: issue.iid, created: true }, by, warnings);
}

/**
 * Creates the audit's issue, with the warnings of what it went on without (an assignee GitLab cannot
 * assign, a roster username that is not a GitLab user). A create whose answer was lost (timeout, dropped connection, 5xx) may have made the issue all
 * the same: when it is found (see `findLostIssue`) it is the one created, so the next export does not make
 * a second.
 */
async function createIssueFromTemplate(
  ctx: AppContext,
  target: ExportTarget,
): Promise<{ issue: Issue; warnings: string[] }> {
  const { gitlab, client } = target;
  const notes = await reportNotes(target);
  const description = placeUnderNotes(await currentDescription(target), notes.notes);
  const title = issueTitle(target.audit.name);
  const assignee = gitlab.assignee ? await findAssignee(client, gitlab.assignee) : null;
  const warnings = [...(assignee?.warning ? [assignee.warning] : []), ...notes.warnings];
  try {
    const issue = await client.createIssue(gitlab.project, {
      title,
      description,
      labels: gitlab.labels.length > 0 ? gitlab.labels : undefined,
      assigneeIds: assignee?.id === undefined ? undefined : [assignee.id],
    });
    return { issue, warnings };
  } catch (error) {
    if (!mayHaveBeenApplied(error)) throw error;
    const found = await findLostIssue(ctx, target, title);
    if (!found) throw error;
    ctx.log(`Creating the issue of ${target.audit.name} lost its answer but made ${found.web_url}`, error);
    return { issue: found, warnings };
  }
}

/**
 * The issue a lost create made, or null: an open issue of the project titled exactly `title`, opened by the
 * token's own user in the last few minutes, and linked to no audit. A failure while looking is logged and
 * counts as not found.
 */
async function findLostIssue(ctx: AppContext, target: ExportTarget, title: string): Promise<Issue | null> {
  const { gitlab, client } = target;
  try {
    const me = await client.getCurrentUser();
    const issues = await client.findRecentIssues(gitlab.project, {
      title,
      authorUsername: me.username,
      withinMs: LOST_ANSWER_WINDOW_MS,
    });
    if (issues.length === 0) return null;
    const linked = new Set((await listAudits(ctx.db)).map((audit) => audit.issueUrl));
    return issues.find((issue) => !linked.has(issue.web_url)) ?? null;
  } catch (error) {
    ctx.log(`Could not check whether the issue of ${target.audit.name} was created`, error);
    return null;
  }
}

async function recordExport(
  ctx: AppContext,
  audit: Audit,
  written: { url: string; iid: number; created: boolean },
  by: ExportInput,
  warnings: string[],
): Promise<IssueExportResult> {
  await appendEvent(ctx.db, {
    auditId: audit.id,
    actor: by.actor,
    actorKey: by.actorKey ?? null,
    at: ctx.clock.now(),
    action: "export_issue",
    detail: { url: written.url, iid: written.iid, created: written.created },
  });
  return { ...written, audit, warnings };
}

/**
 * The config's assignee as GitLab knows them: their ID when the issue can be assigned to them, else a
 * warning saying why not (GitLab silently leaves out a blocked or deactivated assignee, so the issue would
 * be created unassigned without anyone knowing). A username GitLab does not know is a config error.
 */
async function findAssignee(
  client: GitLabClient,
  username: string,
): Promise<{ id: number; warning?: undefined } | { id?: undefined; warning: string }> {
  const user = await client.findUserByUsername(username);
  if (!user) {
    throw new AppError(
      "invalid:config",
      `The config's gitlab.assignee (${username}) is not a user of ${client.baseUrl}.`,
    );
  }
  // Users list answers without `state` (an older GitLab) are taken as active, as they were before.
  const state = user.state ?? "active";
  if (state === "active") return { id: user.id };
  return {
    warning: `The issue was created without an assignee: the config's gitlab.assignee (${user.username}) is ${state} on ${client.baseUrl}, and GitLab cannot assign an issue to a ${state} user. Assign it by hand, or name an active user in the config.`,
  };
}
