import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { cache } from "react";
import { PageHeader } from "@/components/page-header";
import { SentBackNotice } from "@/components/review-history";
import { EmptyState } from "@/components/ui/states";
import { can } from "@/lib/auth/roles";
import { formatDetail } from "@/lib/errors";
import { getAuditActivity } from "@/lib/service/activity";
import { getAppContext } from "@/lib/service/app-context";
import { nextAutopilotSteps } from "@/lib/service/autopilot/chase";
import type { AppContext } from "@/lib/service/context";
import { versionFromDatabase, type VersionOf } from "@/lib/service/kept-per-version";
import type { AuditSummary } from "@/lib/service/overview";
import { getAuditProgress, getAuditTrend } from "@/lib/service/progress";
import { shownPath } from "@/lib/roster/shown-path";
import { getRunWarnings } from "@/lib/service/runs";
import { getStandingSendBack } from "@/lib/service/sign-off";
import { workflowOf } from "@/lib/service/workflow-settings";
import { dueStateOf } from "@/lib/workflow/audit-counts";
import { OverviewActivity } from "../_components/overview-activity";
import { OverviewAuditCard } from "../_components/overview-audit-card";
import {
  OverviewCodesCard,
  OverviewOverdueCard,
  OverviewProgressCard,
  OverviewTrendCard,
} from "../_components/overview-charts";
import { OverviewConfigurationCard, OverviewStats, OverviewStatusCard } from "../_components/overview-counts";
import { OverviewDueCard } from "../_components/overview-due-card";
import { OverviewHistory } from "../_components/overview-history";
import { loadAuditIndex, loadAuditSummary, requireSessionUser } from "../_lib/data";
import { landingPathFor } from "../_lib/paths";
import { type RunWarnings, WARNINGS_SHOWN } from "../_lib/run-warnings";

export const metadata: Metadata = { title: "Overview" };

/** How many of the newest activity events the overview shows; the rest are on the audit's Activity page. */
const RECENT_ACTIVITY = 8;

/**
 * An audit's data version, read once per request: the trend, the burn-down, the activity and the
 * send-back are each kept per version, and each read of it was a query of its own.
 */
const versionOf: VersionOf = cache(async (auditId: string) =>
  versionFromDatabase((await getAppContext()).db)(auditId),
);

export default async function OverviewPage() {
  const user = await requireSessionUser("/");
  // A team member lands on their own findings, a manager on their team's: where their work is.
  const landing = landingPathFor(user.role);
  if (landing) redirect(landing);
  const [{ now, schedule, audits, current: currentAudit }, ctx] = await Promise.all([
    loadAuditIndex(),
    getAppContext(),
  ]);
  const [current, trend] = await Promise.all([
    currentAudit ? loadAuditSummary(currentAudit.id) : null,
    getAuditTrend(ctx, audits, versionOf),
  ]);
  const details = current ? await loadCurrentAuditDetails(ctx, current) : null;
  const periodAudit = audits.find((a) => a.name === schedule.current.name) ?? null;
  const canExport = can(user, "audit:export") && current !== null && current.audit.status !== "signed_off";

  return (
    <>
      <PageHeader
        title="Overview"
        description="Every person in the support roster needs a working PagerDuty account on exactly the schedules their rotations call for."
      />

      {details?.sentBack && (
        <div className="mb-6">
          <SentBackNotice step={details.sentBack} />
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <OverviewDueCard
          schedule={schedule}
          state={dueStateOf(schedule, periodAudit?.status ?? null)}
          periodAudit={periodAudit}
          now={now}
          canOpen={can(user, "audit:open")}
        />
        {current && details ? (
          <OverviewAuditCard
            audit={current.audit}
            latestRun={current.latestRun}
            runWarnings={details.runWarnings}
            canRun={can(user, "audit:run") && current.audit.status !== "signed_off"}
            autopilot={
              current.audit.status === "signed_off"
                ? null
                : {
                    slack: (ctx.createSlackClient?.() ?? null) !== null,
                    canChange: can(user, "audit:autopilot"),
                    next: details.autopilotNext,
                  }
            }
            canExport={canExport}
            now={now}
          />
        ) : (
          <div className="lg:col-span-2">
            <EmptyState title="No audit open">
              Open {schedule.current.name} to run it against PagerDuty and track the findings until sign-off.
            </EmptyState>
          </div>
        )}
      </div>

      {current && details && (
        <>
          <OverviewStats auditId={current.audit.id} counts={current} />
          {/* Before the first run the stats say so; there is nothing to draw yet. */}
          {current.phase !== "not_run" && (
            <>
              <div className="mt-6 grid gap-6 lg:grid-cols-3">
                <OverviewProgressCard counts={current} progress={details.progress} />
                <OverviewCodesCard auditId={current.audit.id} counts={current} />
              </div>
              <div className="mt-6 grid gap-6 lg:grid-cols-3">
                <OverviewStatusCard auditId={current.audit.id} counts={current} />
                <OverviewOverdueCard auditId={current.audit.id} counts={current} />
                <OverviewConfigurationCard
                  counts={current}
                  items={current.configurationItems}
                  workflow={details.workflow}
                />
              </div>
            </>
          )}
          <OverviewActivity auditId={current.audit.id} activity={details.activity} />
        </>
      )}

      {trend.some((entry) => entry.total.new + entry.total.recurring + entry.total.fixed > 0) && (
        <OverviewTrendCard trend={trend} />
      )}
      <OverviewHistory audits={audits} />
    </>
  );
}

/**
 * What the overview shows of the current audit besides its counts, read side by side: the run's warnings,
 * a standing send-back (the reviewer's word, shown here and not only on GitLab), the recent activity, the
 * burn-down, the workflow's settings and autopilot's next steps.
 */
async function loadCurrentAuditDetails(ctx: AppContext, current: AuditSummary) {
  const auditId = current.audit.id;
  const run = current.latestRun;
  const [runWarnings, sentBack, activity, progress, workflow, autopilotNext] = await Promise.all([
    run
      ? getRunWarnings(ctx, run).then((warnings): RunWarnings => ({
          runId: run.id,
          // Roster files by the name their operator would type, not the server's absolute path.
          lines: warnings
            .slice(0, WARNINGS_SHOWN)
            .map((w) => formatDetail(w.file === undefined ? w : { ...w, file: shownPath(w.file) })),
          total: warnings.length,
        }))
      : null,
    getStandingSendBack(ctx, current.audit, versionOf),
    getAuditActivity(ctx, current.audit, { pageSize: RECENT_ACTIVITY }, versionOf),
    getAuditProgress(ctx, current.audit, versionOf),
    workflowOf(ctx),
    current.audit.autopilot && current.audit.status !== "signed_off" ? nextAutopilotSteps(ctx, auditId) : [],
  ]);
  return { runWarnings, sentBack, activity, progress, workflow, autopilotNext };
}
