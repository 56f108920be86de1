import type { ComponentProps } from "react";
import Link from "next/link";
import { AuditStatusBadge } from "@/components/status-badge";
import { Card } from "@/components/ui/card";
import type { Audit, Run } from "@/lib/db/queries";
import { schedulesPath } from "../_lib/paths";
import { AutopilotToggle } from "./autopilot-toggle";
import { ExportIssueButton } from "./export-issue-button";
import type { RunWarnings } from "../_lib/run-warnings";
import { RunAuditPanel } from "./run-audit-panel";

/** The current audit: its last run and the Run button, autopilot, and its GitLab issue (or the export). */
export function OverviewAuditCard({
  audit,
  latestRun,
  runWarnings,
  canRun,
  autopilot,
  canExport,
  now,
}: {
  audit: Audit;
  latestRun: Run | null;
  runWarnings: RunWarnings | null;
  canRun: boolean;
  /** The autopilot toggle's state, while the audit is not signed off. */
  autopilot: Omit<ComponentProps<typeof AutopilotToggle>, "auditId" | "on" | "now"> | null;
  canExport: boolean;
  now: string;
}) {
  return (
    <Card
      className="lg:col-span-2"
      title={
        <span className="flex flex-wrap items-center gap-2">
          {audit.name} audit <AuditStatusBadge status={audit.status} />
        </span>
      }
      actions={
        <Link
          href={schedulesPath(audit.id)}
          className="rounded text-sm font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-4 hover:decoration-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          Schedule coverage
        </Link>
      }
    >
      <RunAuditPanel
        auditId={audit.id}
        initialRun={latestRun}
        runWarnings={runWarnings}
        canRun={canRun}
        now={now}
      />
      {autopilot && (
        <div className="mt-4 border-t border-slate-100 pt-4">
          <AutopilotToggle auditId={audit.id} on={audit.autopilot} now={now} {...autopilot} />
        </div>
      )}
      {(audit.issueUrl || canExport) && (
        <div className="mt-4 flex flex-wrap items-start justify-between gap-3 border-t border-slate-100 pt-4">
          <p className="min-w-0 break-words text-sm text-slate-700">
            {audit.issueUrl ? (
              <>
                Audit issue:{" "}
                <a href={audit.issueUrl} className="font-medium text-indigo-700 hover:underline">
                  {audit.issueUrl}
                </a>
              </>
            ) : (
              "No audit issue yet: export the findings to create it from the template."
            )}
          </p>
          {canExport && <ExportIssueButton auditId={audit.id} hasIssue={audit.issueUrl !== null} />}
        </div>
      )}
    </Card>
  );
}
