import { CodeBadge } from "@/components/code-badge";
import { CountList, Stat } from "@/components/count-list";
import { StatusBadge } from "@/components/status-badge";
import { Card } from "@/components/ui/card";
import type { Item } from "@/lib/db/queries";
import type { AuditCounts } from "@/lib/workflow/audit-counts";
import { ownerOf, scheduleOwnerTaskOf } from "@/lib/workflow/owners";
import { deriveStatus } from "@/lib/workflow/rules";
import { ITEM_STATUSES, type WorkflowSettings } from "@/lib/workflow/types";
import { findingsSearch, type FindingsParams } from "../audits/[auditId]/findings/_lib/params";
import { findingsPath } from "../_lib/paths";

/** The Findings page of `auditId` filtered by `params`, as its own filter bar writes the URL. */
export function filteredFindingsPath(auditId: string, params: FindingsParams): string {
  return findingsPath(auditId, findingsSearch(params));
}

/**
 * The headline numbers, each one of AuditCounts: before the first run a dash saying so, never a zero that
 * reads as all clear; once signed off, what was left open is the sign-off's decision, not an alarm.
 */
export function OverviewStats({ auditId, counts }: { auditId: string; counts: AuditCounts }) {
  const notRun = counts.phase === "not_run";
  const signedOff = counts.phase === "signed_off";
  const notYet = "Not run yet";
  return (
    <dl className="mt-6 grid grid-cols-2 gap-4 md:grid-cols-4">
      <Stat
        label="Findings"
        value={notRun ? null : counts.present}
        href={findingsPath(auditId)}
        hint={notRun ? notYet : findingsHint(counts)}
      />
      <Stat
        label="People with findings"
        value={notRun ? null : counts.people}
        hint={notRun ? notYet : undefined}
      />
      <Stat
        label="People overdue"
        value={notRun ? null : counts.overduePeople}
        tone="danger"
        href={filteredFindingsPath(auditId, { overdue: true })}
        hint={notRun ? notYet : signedOff ? "nobody is chased after sign-off" : "a chase step is due"}
      />
      <Stat
        label={signedOff ? "Left open at sign-off" : "Still to address"}
        value={notRun ? null : counts.toAddress}
        tone={signedOff ? "neutral" : "danger"}
        hint={
          notRun
            ? notYet
            : signedOff
              ? counts.toAddress > 0
                ? "accepted by the sign-off's override"
                : "every finding addressed"
              : `${counts.addressed} of ${counts.found} addressed`
        }
      />
    </dl>
  );
}

/**
 * What "Findings" counts: those still present; and why the last run's own count may differ (an
 * incomplete run leaves what it could not read unchecked).
 */
function findingsHint(counts: AuditCounts): string {
  const parts = ["still present"];
  if (counts.unchecked > 0) parts.push(`${counts.unchecked} not read again by the incomplete run`);
  if (counts.fixed > 0) parts.push(`${counts.fixed} fixed since found`);
  return parts.join("; ");
}

/** Findings by status, each count a link to those findings. */
export function OverviewStatusCard({ auditId, counts }: { auditId: string; counts: AuditCounts }) {
  return (
    <Card title="By status">
      <CountList
        empty={counts.phase === "not_run" ? "Not run yet." : "No findings."}
        entries={ITEM_STATUSES.filter((status) => counts.byStatus[status] > 0).map((status) => ({
          key: status,
          label: <StatusBadge status={status} />,
          count: counts.byStatus[status],
          href: filteredFindingsPath(auditId, { status }),
        }))}
      />
    </Card>
  );
}

/** Findings about schedules themselves (no person): who fixes them and where. Nothing to say before a run. */
export function OverviewConfigurationCard({
  counts,
  items,
  workflow,
}: {
  counts: AuditCounts;
  items: Item[];
  workflow: WorkflowSettings;
}) {
  const asOf = new Date(counts.asOf);
  return (
    <Card title="Configuration findings">
      {counts.phase === "not_run" ? (
        <p className="text-sm text-slate-600">Not run yet: the first run checks every configured schedule.</p>
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600">None: every configured schedule was found in PagerDuty.</p>
      ) : (
        <ul className="space-y-3">
          {items.map((item) => (
            <li key={item.id} className="text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <CodeBadge code={item.code} severity={item.severity} />
                <StatusBadge status={deriveStatus(item, asOf, workflow).status} />
              </div>
              <p className="mt-1 text-slate-700">{item.message}</p>
              <p className="mt-1 text-xs text-slate-600">
                <span className="font-medium">Owner: {ownerOf(item)}.</span> {scheduleOwnerTaskOf(item.code)}{" "}
                The next run confirms the fix.
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
  );
}
