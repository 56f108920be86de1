"use client";

import { ApiError, errorMessage } from "@/lib/client/api";
import { ExportIssueButton } from "./export-issue-button";

/** The server's code for a ping or an escalation refused because the audit has no GitLab issue yet. */
export const AUDIT_ISSUE_MISSING = "conflict:audit_issue";

/** Whether `error` is the refusal of a ping or an escalation before the audit issue exists. */
export function isAuditIssueMissing(error: unknown): boolean {
  return error instanceof ApiError && error.code === AUDIT_ISSUE_MISSING;
}

/**
 * Why a ping or an escalation was refused. Before the audit issue exists (pings are comments there) it
 * offers "Export to issue" to whoever may export, and tells the others who can.
 */
export function ChaseRefusal({
  error,
  auditId,
  mayExport,
  onExported,
}: {
  error: unknown;
  auditId: string;
  mayExport: boolean;
  onExported?: () => void;
}) {
  return (
    <div role="alert" className="space-y-2 rounded-md bg-rose-50 p-2 text-sm text-rose-800">
      <p>{errorMessage(error)}</p>
      {isAuditIssueMissing(error) &&
        (mayExport ? (
          <ExportIssueButton auditId={auditId} hasIssue={false} onExported={onExported} />
        ) : (
          <p>Support Operations export it from the overview.</p>
        ))}
    </div>
  );
}
