import { BarListChart } from "@/components/charts/bar-list-chart";
import { AddressedBar, BurnDownChart } from "@/components/charts/progress-chart";
import { TrendChart } from "@/components/charts/trend-chart";
import { Card } from "@/components/ui/card";
import { CODE_LABELS } from "@/lib/audit/labels";
import { FINDING_CODES } from "@/lib/audit/types";
import type { AuditProgress } from "@/lib/service/progress";
import type { AuditCounts } from "@/lib/workflow/audit-counts";
import type { TrendEntry } from "@/lib/workflow/progress";
import { schedulesPath } from "../_lib/paths";
import { filteredFindingsPath } from "./overview-counts";

/** Addressed against all findings, and the burn-down against the due day. */
export function OverviewProgressCard({ counts, progress }: { counts: AuditCounts; progress: AuditProgress }) {
  // The bar is a client component: it is sent these six figures, not the whole summary.
  const { found, fixed, intentional, waived, addressed, toAddress } = counts;
  return (
    <Card title="Progress" className="lg:col-span-2">
      {counts.phase === "not_run" ? (
        <p className="text-sm text-slate-600">Not run yet: progress is drawn from the first run on.</p>
      ) : (
        <div className="space-y-6">
          <AddressedBar
            id="overview-addressed"
            counts={{ found, fixed, intentional, waived, addressed, toAddress }}
          />
          <BurnDownChart id="overview-burn-down" days={progress.days} dueOn={progress.dueOn} />
        </div>
      )}
    </Card>
  );
}

/**
 * Findings still present by code, largest first, each bar a link to them: a person's findings on the
 * Findings page, a schedule's own on the schedule coverage page.
 */
export function OverviewCodesCard({ auditId, counts }: { auditId: string; counts: AuditCounts }) {
  return (
    <Card title="Findings by code">
      <BarListChart
        id="overview-codes"
        title="Findings by code"
        description="Findings still present, by code."
        labelHeader="Code"
        unit={["finding", "findings"]}
        empty={counts.phase === "not_run" ? "Not run yet." : "No findings."}
        data={FINDING_CODES.map((code) => ({
          key: code,
          label: CODE_LABELS[code],
          value: counts.byCode[code],
          href:
            code === "schedule_not_found" ? schedulesPath(auditId) : filteredFindingsPath(auditId, { code }),
        }))}
      />
    </Card>
  );
}

/** People with a chase step due, by manager, each bar a link to those people (when the roster names one). */
export function OverviewOverdueCard({ auditId, counts }: { auditId: string; counts: AuditCounts }) {
  return (
    <Card title="Overdue by manager">
      <BarListChart
        id="overview-overdue"
        title="People overdue by manager"
        description="People with a chase step due, by their manager."
        labelHeader="Manager"
        unit={["person", "people"]}
        tone="rose"
        empty={
          counts.phase === "not_run"
            ? "Not run yet."
            : counts.phase === "signed_off"
              ? "Nobody: the audit is signed off."
              : "Nobody is overdue."
        }
        data={counts.overdueByManager.map((entry) => ({
          key: entry.manager ?? "",
          label: entry.manager ?? "No manager in the roster",
          value: entry.people,
          // The findings page filters by a manager's name; people without one have no filter of their own.
          href:
            entry.manager === null
              ? undefined
              : filteredFindingsPath(auditId, { manager: entry.manager, overdue: true }),
        }))}
      />
    </Card>
  );
}

/** Each audit's findings against the audit before: whether things improve. */
export function OverviewTrendCard({ trend }: { trend: TrendEntry[] }) {
  return (
    <Card title="Across audits" className="mt-6">
      <p className="mb-3 text-sm text-slate-600">
        A finding recurs when the same person (or schedule) had the same code in the audit before.
        {trend.length === 1 && " The next audit is compared with this one."}
      </p>
      <TrendChart id="overview-trend" trend={trend} />
    </Card>
  );
}
