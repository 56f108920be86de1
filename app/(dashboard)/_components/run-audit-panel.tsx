"use client";

import { type RunWarnings, WARNINGS_SHOWN } from "../_lib/run-warnings";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { RunStatusBadge } from "@/components/status-badge";
import { DateTime } from "@/components/time";
import { Button } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ApiError, errorMessage } from "@/lib/client/api";
import { startAuditRun } from "@/lib/client/mutations";
import { latestRunQueryOptions, queryKeys } from "@/lib/client/queries";
import type { Run, RunProgress } from "@/lib/client/types";

/** The "Run audit" button's id: opening an audit hands the focus to it. */
export const RUN_AUDIT_BUTTON_ID = "run-audit";

/** Warnings shown in full; the rest are counted (the CLI and the JSON report list them all). */

const PHASES: Record<string, string> = {
  users: "Reading PagerDuty users",
  schedules: "Reading schedules",
  user_lookups: "Looking up users missing from the list",
};

function describeProgress(progress: RunProgress | null): string {
  if (!progress) return "Starting…";
  const phase = PHASES[progress.phase] ?? progress.phase;
  return progress.total > 0 ? `${phase}: ${progress.done} of ${progress.total}` : `${phase}…`;
}

/** The newer of two views of the latest run: the server's (on refresh) or the polled one. */
function newerRun(cached: Run | null | undefined, fromServer: Run | null): Run | null {
  if (cached === undefined || cached === null) return fromServer;
  if (fromServer === null) return cached;
  if (cached.id !== fromServer.id) return fromServer.startedAt >= cached.startedAt ? fromServer : cached;
  if (cached.status !== "running") return cached;
  return fromServer.heartbeatAt >= cached.heartbeatAt ? fromServer : cached;
}

/**
 * The audit's last run and the "Run audit" button. A running audit is polled every second (React Query)
 * and the page is refreshed from the server once it finishes.
 */
export function RunAuditPanel({
  auditId,
  initialRun,
  runWarnings,
  canRun,
  now,
}: {
  auditId: string;
  /** The latest run as the server rendered it. */
  initialRun: Run | null;
  /** What the roster's owners should tidy, as that run read the roster: one line each. */
  runWarnings: RunWarnings | null;
  /** The user may run audits and the audit is still open. */
  canRun: boolean;
  now: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [refreshing, startRefresh] = useTransition();
  const options = latestRunQueryOptions(auditId);
  const { data } = useQuery({ ...options, initialData: initialRun });

  // A server refresh may know a newer run than the cache (someone else started one).
  useEffect(() => {
    const key = queryKeys.latestRun(auditId);
    const cached = queryClient.getQueryData<Run | null>(key);
    const next = newerRun(cached, initialRun);
    if (next !== cached) queryClient.setQueryData(key, next);
  }, [queryClient, auditId, initialRun]);

  const run = data ?? null;
  const running = run?.status === "running";

  // When a run we watched finishes, the counts and the findings on the page are stale.
  const lastStatus = useRef(run?.status);
  useEffect(() => {
    if (lastStatus.current === "running" && run?.status !== "running") startRefresh(() => router.refresh());
    lastStatus.current = run?.status;
  }, [run?.status, router]);

  const [starting, setStarting] = useState(false);
  const start = useMutation({
    mutationFn: () => startAuditRun(auditId),
    onSuccess: (started) => queryClient.setQueryData(options.queryKey, started),
    onError: (error) => {
      if (error instanceof ApiError && error.code === "conflict:run") {
        void queryClient.invalidateQueries({ queryKey: options.queryKey });
      }
    },
  });
  const conflict = start.error instanceof ApiError && start.error.code === "conflict:run";

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="text-sm text-slate-700" aria-live="polite">
          {starting ? (
            <span>Starting the run…</span>
          ) : run === null ? (
            <span>Not run yet. Run the audit to read PagerDuty and compare it with the roster.</span>
          ) : running ? (
            <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <RunStatusBadge status="running" /> <span>Started</span> <DateTime iso={run.startedAt} />{" "}
              <span>by {run.startedBy}</span>
            </span>
          ) : (
            <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <span>Last run</span> <DateTime iso={run.finishedAt ?? run.startedAt} now={now} />{" "}
              <RunStatusBadge status={run.status} />{" "}
              {run.status !== "failed" && (
                <span>
                  {run.findingsCount} finding{run.findingsCount === 1 ? "" : "s"}
                </span>
              )}
            </span>
          )}
        </div>
        {canRun && (
          <Button
            id={RUN_AUDIT_BUTTON_ID}
            onClick={() => {
              // Synchronously, so the last run's outcome never reads as this run's.
              setStarting(true);
              start.mutate(undefined, { onSettled: () => setStarting(false) });
            }}
            // Not `disabled`: the focus stays here through the run and the refresh after it.
            aria-disabled={running || starting || refreshing}
            aria-busy={running || starting}
          >
            Run audit
          </Button>
        )}
      </div>

      {running && (
        <div className="space-y-1.5">
          <ProgressBar
            label="Audit run progress"
            value={run.progress?.done ?? null}
            max={run.progress?.total ?? null}
            valueText={describeProgress(run.progress)}
          />
          <p className="text-xs text-slate-600">{describeProgress(run.progress)}</p>
        </div>
      )}

      {run && !running && run.error && (
        <p
          className={
            run.status === "failed"
              ? "rounded-md bg-rose-50 p-2 text-sm text-rose-800"
              : "rounded-md bg-amber-50 p-2 text-sm text-amber-900"
          }
        >
          {run.error}
        </p>
      )}

      {run && !running && runWarnings?.runId === run.id && runWarnings.total > 0 && (
        <div className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
          <p>
            The roster was read with {runWarnings.total} warning
            {runWarnings.total === 1 ? "" : "s"} for its owners to tidy:
          </p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 break-words">
            {runWarnings.lines.slice(0, WARNINGS_SHOWN).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {runWarnings.total > WARNINGS_SHOWN && (
            <p className="mt-1">
              …and {runWarnings.total - WARNINGS_SHOWN} more; the CLI and the JSON report list them all.
            </p>
          )}
        </div>
      )}

      {start.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {conflict
            ? "A run is already in progress; its progress is shown above."
            : errorMessage(start.error)}
        </p>
      )}
    </div>
  );
}
