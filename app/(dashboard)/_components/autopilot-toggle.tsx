"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { setAutopilot } from "@/lib/client/mutations";

/**
 * The audit's autopilot, on or off: what it does while on, and (for Support Operations) the switch. While
 * on, the server takes the due steps a person would: escalations, and the Slack DM when the server has a
 * Slack token; pinging new findings stays a person's decision.
 */
export function AutopilotToggle({
  auditId,
  on,
  slack,
  canChange,
}: {
  auditId: string;
  on: boolean;
  /** The server can send the Slack DM itself (SLACK_BOT_TOKEN is set). */
  slack: boolean;
  canChange: boolean;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const change = useMutation({
    mutationFn: (next: boolean) => setAutopilot({ auditId, on: next }),
    onSuccess: () => startRefresh(() => router.refresh()),
  });
  const busy = change.isPending || refreshing;
  const steps = slack
    ? "escalations and the Slack DM"
    : "escalations (the Slack DM stays by hand: no Slack token)";
  return (
    <div className="flex flex-wrap items-start justify-between gap-3">
      <div className="text-sm text-slate-700">
        <p>
          <span className="font-medium text-slate-900">Autopilot {on ? "on" : "off"}</span>
          {on
            ? `: takes the ${steps} when they fall due, in each person's working hours.`
            : `: every step waits for someone to take it. On, it takes the ${steps} when due.`}
        </p>
        {change.isError && (
          <p role="alert" className="mt-1 text-red-700">
            {errorMessage(change.error)}
          </p>
        )}
      </div>
      {canChange && (
        <Button variant="secondary" disabled={busy} onClick={() => change.mutate(!on)}>
          {on ? "Turn autopilot off" : "Turn autopilot on"}
        </Button>
      )}
    </div>
  );
}
