import { Day, formatDueIn } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { Audit } from "@/lib/db/queries";
import type { DueState } from "@/lib/workflow/audit-counts";
import type { AuditSchedule } from "@/lib/workflow/fiscal";
import { OpenAuditButton } from "./open-audit-button";

const BADGES: Record<DueState, { label: string; tone: "danger" | "info" | "neutral" | "success" }> = {
  not_opened: { label: "Not opened", tone: "neutral" },
  open: { label: "Opened", tone: "info" },
  overdue: { label: "Overdue", tone: "danger" },
  signed_off: { label: "Signed off", tone: "success" },
};

/**
 * Which audit is due and where it stands (`dueStateOf`): the time left only while it is open and not yet
 * due, the sign-off once signed off, and the button to open it while it is not.
 */
export function OverviewDueCard({
  schedule,
  state,
  periodAudit,
  now,
  canOpen,
}: {
  schedule: AuditSchedule;
  state: DueState;
  /** The audit of the current period, if opened. */
  periodAudit: Pick<Audit, "signedOffAt" | "signedOffBy"> | null;
  now: string;
  canOpen: boolean;
}) {
  const due = schedule.current;
  const badge = BADGES[state];
  return (
    <Card title="Audit due" className="lg:col-span-1">
      <p className="flex flex-wrap items-center gap-2 text-lg font-semibold text-slate-900">
        {due.name}
        <Badge tone={badge.tone}>{badge.label}</Badge>
      </p>
      <dl className="mt-2 space-y-1 text-sm text-slate-700">
        <div className="flex gap-2">
          <dt className="text-slate-500">Due</dt>
          <dd>
            <Day day={due.dueOn} />
            {(state === "open" || state === "not_opened") && (
              <span className="text-slate-500"> ({formatDueIn(`${due.dueOn}T23:59:59.999Z`, now)})</span>
            )}
          </dd>
        </div>
        {state === "signed_off" && periodAudit?.signedOffAt && (
          <div className="flex gap-2">
            <dt className="text-slate-500">Signed off</dt>
            <dd>
              <Day day={periodAudit.signedOffAt} />
              {periodAudit.signedOffBy && (
                <span className="text-slate-500"> by {periodAudit.signedOffBy}</span>
              )}
            </dd>
          </div>
        )}
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
  );
}
