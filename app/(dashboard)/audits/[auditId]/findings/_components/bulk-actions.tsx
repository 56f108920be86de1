"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition, type ReactNode } from "react";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { bulkAct } from "@/lib/client/mutations";
import type { ActionOutcome } from "@/lib/client/types";
import { ChaseRefusal, isAuditIssueMissing } from "../../../../_components/chase-refusal";
import { BULK_CHASE_ACTIONS, type BulkChaseAction } from "@/lib/workflow/chase";

type BulkAction = BulkChaseAction;

const COPY: Record<
  BulkAction,
  {
    button: string;
    title: string;
    confirm: string;
    done: string;
    /** `count` findings of the whole audit, e.g. "42 findings to ping". */
    due: (count: number) => string;
    explain: (count: number) => ReactNode;
  }
> = {
  ping: {
    button: "Ping all open",
    due: (count) => `${count} finding${count === 1 ? "" : "s"} to ping`,
    title: "Ping everyone with open findings?",
    confirm: "Send pings",
    done: "Pinged",
    explain: (count) => (
      <p>
        This pings {count} open finding{count === 1 ? "" : "s"} at once and starts each person&apos;s 72-hour
        follow-up timer. People already pinged are not pinged again.
      </p>
    ),
  },
  escalate: {
    button: "Escalate all overdue",
    due: (count) => `${count} to escalate`,
    title: "Escalate every overdue follow-up?",
    confirm: "Send escalations",
    done: "Escalated",
    explain: (count) => (
      <p>
        This escalates {count} finding{count === 1 ? "" : "s"} whose follow-up is due to the person&apos;s
        manager and the Support Ops Manager, and starts the 72-hour Slack DM timer.
      </p>
    ),
  },
};

function describeOutcome(action: BulkAction, outcome: ActionOutcome): string {
  const parts = [`${COPY[action].done} ${outcome.applied} finding${outcome.applied === 1 ? "" : "s"}.`];
  if (outcome.conflicts > 0) {
    parts.push(`${outcome.conflicts} changed meanwhile and were left alone.`);
  }
  parts.push(...outcome.warnings);
  return parts.join(" ");
}

const SCOPE_ID = "bulk-scope";

/** People on the page as a count: "12 people". */
function peopleOf(count: number): string {
  return `${count} ${count === 1 ? "person" : "people"}`;
}

/**
 * Support Operations' bulk actions, each behind a confirmation: ping everyone with open findings, and
 * escalate everyone whose 72-hour follow-up has passed without a reply. They act on the whole audit (the
 * bulk route takes no filter), which is said beside them and in the confirmation while a filter is on.
 */
export function BulkActions({
  auditId,
  counts,
  filteredPeople,
  hasIssue,
  mayExport,
}: {
  auditId: string;
  /** Findings each step is due for now: a first ping (open or expired waiver), an escalation (follow-up due). */
  counts: Record<BulkAction, number>;
  /** People the page's filter shows; null when no filter is on. */
  filteredPeople: number | null;
  /** The audit has its GitLab issue, where pings and escalations are posted. */
  hasIssue: boolean;
  /** The signed-in user may export the audit to its issue (offered when a ping is refused for want of it). */
  mayExport: boolean;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  // The dialog stays mounted (closing it returns focus to the button that opened it); `action` is what it asks.
  const [action, setAction] = useState<BulkAction>(BULK_CHASE_ACTIONS[0]);
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: (action: BulkAction) => bulkAct({ auditId, action }),
    onSuccess: (outcome, done) => {
      setOpen(false);
      setResult(describeOutcome(done, outcome));
      startRefresh(() => router.refresh());
    },
    // Refused for want of the audit issue: the dialog closes and the refusal offers the export.
    onError: (error) => {
      if (isAuditIssueMissing(error)) setOpen(false);
    },
  });
  const missingIssue = act.isError && isAuditIssueMissing(act.error);

  const ask = (next: BulkAction) => {
    act.reset();
    setResult(null);
    setAction(next);
    setOpen(true);
  };

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex flex-wrap gap-2">
        {BULK_CHASE_ACTIONS.map((bulk) => (
          <Button
            key={bulk}
            variant="secondary"
            onClick={() => ask(bulk)}
            disabled={counts[bulk] === 0 || refreshing}
            aria-describedby={filteredPeople === null ? undefined : SCOPE_ID}
          >
            {COPY[bulk].button}
          </Button>
        ))}
      </div>
      {filteredPeople !== null && (
        <p id={SCOPE_ID} className="max-w-md text-right text-xs text-amber-800">
          These ignore the filter and act on the whole audit (
          {BULK_CHASE_ACTIONS.map((bulk) => COPY[bulk].due(counts[bulk])).join(", ")}); the filter shows{" "}
          {peopleOf(filteredPeople)}.
        </p>
      )}
      <p role="status" className="text-xs text-slate-600">
        {result}
      </p>
      {!hasIssue && !missingIssue && (
        <p className="text-xs text-amber-800">
          Pings are posted on the audit&apos;s GitLab issue: export it first.
        </p>
      )}
      {missingIssue && (
        <ChaseRefusal
          error={act.error}
          auditId={auditId}
          mayExport={mayExport}
          onExported={() => act.reset()}
        />
      )}
      <ConfirmDialog
        open={open}
        title={COPY[action].title}
        confirmLabel={COPY[action].confirm}
        pending={act.isPending}
        error={act.isError && !missingIssue ? errorMessage(act.error) : null}
        onConfirm={() => act.mutate(action)}
        onCancel={() => setOpen(false)}
      >
        {COPY[action].explain(counts[action])}
        {filteredPeople !== null && (
          <p className="mt-2">
            This ignores the filter on the page: it reaches every such finding in the audit, not only the{" "}
            {peopleOf(filteredPeople)} shown.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
