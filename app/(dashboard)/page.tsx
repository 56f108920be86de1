import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ActivityTimeline } from "@/components/activity-timeline";
import { CodeBadge } from "@/components/code-badge";
import { CountList, Stat } from "@/components/count-list";
import { PageHeader } from "@/components/page-header";
import { SentBackNotice } from "@/components/review-history";
import { AuditStatusBadge, StatusBadge } from "@/components/status-badge";
import { DateTime, Day, formatDueIn } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { Table, Td, Th } from "@/components/ui/table";
import { CODE_LABELS } from "@/lib/audit/labels";
import { FINDING_CODES } from "@/lib/audit/types";
import { can } from "@/lib/auth/roles";
import type { AuditSummary } from "@/lib/service/overview";
import { formatDetail } from "@/lib/errors";
import { getAppContext } from "@/lib/service/app-context";
import { nextAutopilotSteps } from "@/lib/service/autopilot/chase";
import { workflowOf } from "@/lib/service/workflow-settings";
import { getAuditActivity, type ActivityPage } from "@/lib/service/activity";
import { getRunWarnings } from "@/lib/service/runs";
import { getStandingSendBack } from "@/lib/service/sign-off";
import { ownerOf, scheduleOwnerTaskOf } from "@/lib/workflow/owners";
import { deriveStatus } from "@/lib/workflow/rules";
import { ITEM_STATUSES, type WorkflowSettings } from "@/lib/workflow/types";
import { AutopilotToggle } from "./_components/autopilot-toggle";
import { ExportIssueButton } from "./_components/export-issue-button";
import { OpenAuditButton } from "./_components/open-audit-button";
import { RunAuditPanel } from "./_components/run-audit-panel";
import { loadAuditIndex, loadAuditSummary, requireSessionUser } from "./_lib/data";
import { activityPath, findingsPath, landingPathFor, personPath, schedulesPath } from "./_lib/paths";

export const metadata: Metadata = { title: "Overview" };

/** How many of the newest activity events the overview shows; the rest are on the audit's Activity page. */
const RECENT_ACTIVITY = 8;

export default async function OverviewPage() {
  const user = await requireSessionUser("/");
  // A team member lands on their own findings, a manager on their team's: where their work is.
  const landing = landingPathFor(user.role);
  if (landing) redirect(landing);
  const [{ now, schedule, audits, current: currentAudit }, ctx] = await Promise.all([
    loadAuditIndex(),
    getAppContext(),
  ]);
  const current = currentAudit ? await loadAuditSummary(currentAudit.id) : null;
  const runWarnings = current?.latestRun
    ? { runId: current.latestRun.id, lines: (await getRunWarnings(ctx, current.latestRun)).map(formatDetail) }
    : null;
  // A send-back is the reviewer's word to Support Operations: shown here, not only on GitLab.
  const [sentBack, activity] = current
    ? await Promise.all([
        getStandingSendBack(ctx, current.audit.id),
        getAuditActivity(ctx, current.audit.id, { pageSize: RECENT_ACTIVITY }),
      ])
    : [null, null];
  const due = schedule.current;
  const canOpen = can(user, "audit:open");
  const canExport = can(user, "audit:export") && current !== null && current.audit.status !== "signed_off";

  return (
    <>
      <PageHeader
        title="Overview"
        description="Every person in the support roster needs a working PagerDuty account on exactly the schedules their rotations call for."
      />

      {sentBack && (
        <div className="mb-6">
          <SentBackNotice step={sentBack} />
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Audit due" className="lg:col-span-1">
          <p className="flex flex-wrap items-center gap-2 text-lg font-semibold text-slate-900">
            {due.name}
            {schedule.overdue ? (
              <Badge tone="danger">Overdue</Badge>
            ) : schedule.exists ? (
              <Badge tone="info">Opened</Badge>
            ) : (
              <Badge>Not opened</Badge>
            )}
          </p>
          <dl className="mt-2 space-y-1 text-sm text-slate-700">
            <div className="flex gap-2">
              <dt className="text-slate-500">Due</dt>
              <dd>
                <Day day={due.dueOn} />
                {!schedule.overdue && (
                  <span className="text-slate-500"> ({formatDueIn(`${due.dueOn}T23:59:59.999Z`, now)})</span>
                )}
              </dd>
            </div>
            <div className="flex gap-2">
              <dt className="text-slate-500">Next</dt>
              <dd>
                {schedule.next.name}, opens <Day day={schedule.next.opensOn} />
              </dd>
            </div>
          </dl>
          {!schedule.exists && (
            <div className="mt-4">
              {canOpen ? (
                <OpenAuditButton auditName={due.name} />
              ) : (
                <p className="text-sm text-slate-600">Support Operations open the audit.</p>
              )}
            </div>
          )}
        </Card>

        {current ? (
          <Card
            className="lg:col-span-2"
            title={
              <span className="flex flex-wrap items-center gap-2">
                {current.audit.name} audit <AuditStatusBadge status={current.audit.status} />
              </span>
            }
            actions={
              <Link
                href={schedulesPath(current.audit.id)}
                className="text-sm font-medium text-indigo-700 hover:underline"
              >
                Schedule coverage
              </Link>
            }
          >
            <RunAuditPanel
              auditId={current.audit.id}
              initialRun={current.latestRun}
              runWarnings={runWarnings}
              canRun={can(user, "audit:run") && current.audit.status !== "signed_off"}
              now={now}
            />
            {current.audit.status !== "signed_off" && (
              <div className="mt-4 border-t border-slate-100 pt-4">
                <AutopilotToggle
                  auditId={current.audit.id}
                  on={current.audit.autopilot}
                  slack={(ctx.createSlackClient?.() ?? null) !== null}
                  canChange={can(user, "audit:autopilot")}
                  next={current.audit.autopilot ? await nextAutopilotSteps(ctx, current.audit.id) : []}
                  now={now}
                />
              </div>
            )}
            {(current.audit.issueUrl || canExport) && (
              <div className="mt-4 flex flex-wrap items-start justify-between gap-3 border-t border-slate-100 pt-4">
                <p className="text-sm text-slate-700">
                  {current.audit.issueUrl ? (
                    <>
                      Audit issue:{" "}
                      <a
                        href={current.audit.issueUrl}
                        className="font-medium text-indigo-700 hover:underline"
                      >
                        {current.audit.issueUrl}
                      </a>
                    </>
                  ) : (
                    "No audit issue yet: export the findings to create it from the template."
                  )}
                </p>
                {canExport && (
                  <ExportIssueButton auditId={current.audit.id} hasIssue={current.audit.issueUrl !== null} />
                )}
              </div>
            )}
          </Card>
        ) : (
          <div className="lg:col-span-2">
            <EmptyState title="No audit open">
              Open {due.name} to run it against PagerDuty and track the findings until sign-off.
            </EmptyState>
          </div>
        )}
      </div>

      {current && <CurrentAudit summary={current} now={now} workflow={await workflowOf(ctx)} />}
      {current && activity && <RecentActivity auditId={current.audit.id} activity={activity} />}

      <section aria-labelledby="history" className="mt-8">
        <h2 id="history" className="mb-3 text-base font-semibold text-slate-900">
          Audit history
        </h2>
        {audits.length === 0 ? (
          <EmptyState title="No audits yet">
            The audits opened here, and their sign-off, will be listed.
          </EmptyState>
        ) : (
          <Table caption="Audit history" captionHidden>
            <thead>
              <tr>
                <Th>Audit</Th>
                <Th>Status</Th>
                <Th>Opened</Th>
                <Th>Due</Th>
                <Th>Signed off</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {audits.map((audit) => (
                <tr key={audit.id}>
                  <Td>
                    <Link
                      href={findingsPath(audit.id)}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      {audit.name}
                    </Link>
                  </Td>
                  <Td>
                    <AuditStatusBadge status={audit.status} />
                  </Td>
                  <Td>
                    <DateTime iso={audit.createdAt} />
                    <div className="text-xs text-slate-500">by {audit.createdBy}</div>
                  </Td>
                  <Td>
                    <Day day={audit.dueOn} />
                  </Td>
                  <Td>
                    {audit.signedOffAt ? (
                      <>
                        <DateTime iso={audit.signedOffAt} />
                        <div className="text-xs text-slate-500">by {audit.signedOffBy}</div>
                      </>
                    ) : (
                      <span className="text-slate-500">Not yet</span>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
    </>
  );
}

function CurrentAudit({
  summary,
  now,
  workflow,
}: {
  summary: AuditSummary;
  now: string;
  workflow: WorkflowSettings;
}) {
  const auditId = summary.audit.id;
  const total = Object.values(summary.byCode).reduce((sum, n) => sum + n, 0);
  const filtered = (key: string, value: string) =>
    findingsPath(auditId, `?${new URLSearchParams({ [key]: value })}`);

  return (
    <>
      <dl className="mt-6 grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="People with findings" value={summary.people} />
        <Stat
          label="People overdue"
          value={summary.overduePeople}
          tone="danger"
          href={filtered("overdue", "true")}
        />
        <Stat label="Findings" value={total} />
        <Stat
          label="Still to address"
          value={summary.signOff.ok ? 0 : summary.signOff.unaddressed}
          tone="danger"
        />
      </dl>

      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <Card title="By status">
          <CountList
            empty="No findings yet."
            entries={ITEM_STATUSES.filter((status) => summary.byStatus[status] > 0).map((status) => ({
              key: status,
              label: <StatusBadge status={status} />,
              count: summary.byStatus[status],
              href: filtered("status", status),
            }))}
          />
        </Card>
        <Card title="By finding code">
          <CountList
            empty="No findings yet."
            entries={FINDING_CODES.filter(
              (code) => summary.byCode[code] > 0 && code !== "schedule_not_found",
            ).map((code) => ({
              key: code,
              label: CODE_LABELS[code],
              count: summary.byCode[code],
              href: filtered("code", code),
            }))}
          />
        </Card>
        <Card title="Configuration findings">
          {summary.configurationItems.length === 0 ? (
            <p className="text-sm text-slate-600">None: every configured schedule was found in PagerDuty.</p>
          ) : (
            <ul className="space-y-3">
              {summary.configurationItems.map((item) => (
                <li key={item.id} className="text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <CodeBadge code={item.code} severity={item.severity} />
                    <StatusBadge status={deriveStatus(item, new Date(now), workflow).status} />
                  </div>
                  <p className="mt-1 text-slate-700">{item.message}</p>
                  <p className="mt-1 text-xs text-slate-600">
                    <span className="font-medium">Owner: {ownerOf(item)}.</span>{" "}
                    {scheduleOwnerTaskOf(item.code)} The next run confirms the fix.
                  </p>
                  {item.scheduleId && (
                    <p className="font-mono text-xs text-slate-500">
                      {item.scheduleName ? `${item.scheduleName} · ` : ""}
                      {item.scheduleId}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

function RecentActivity({ auditId, activity }: { auditId: string; activity: ActivityPage }) {
  return (
    <Card
      className="mt-6"
      title="Recent activity"
      actions={
        activity.total > 0 && (
          <Link href={activityPath(auditId)} className="text-sm font-medium text-indigo-700 hover:underline">
            All activity ({activity.total})
          </Link>
        )
      }
    >
      <ActivityTimeline
        entries={activity.entries}
        personHref={(personKey) => personPath(auditId, personKey)}
        empty="Nothing yet: nobody has been pinged and no finding was resolved."
      />
    </Card>
  );
}
