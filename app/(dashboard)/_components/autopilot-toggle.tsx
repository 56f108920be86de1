"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { setAutopilot } from "@/lib/client/mutations";
import type { AutopilotStep } from "@/lib/client/types";
import { formatDateTime, formatInZone } from "@/components/time";

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
  next,
  now,
}: {
  auditId: string;
  on: boolean;
  /** The server can send the Slack DM itself (SLACK_BOT_TOKEN is set). */
  slack: boolean;
  canChange: boolean;
  /** What it will do next, soonest first (while on). */
  next: readonly AutopilotStep[];
  /** The app's clock (the demo can move it). */
  now: string;
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
        {on && next.length > 0 && (
          <ul aria-label="What autopilot does next" className="mt-1 space-y-0.5 text-slate-600">
            {next.map((step) => (
              <li key={`${step.personKey}|${step.action}`}>{describeStep(step, now)}</li>
            ))}
          </ul>
        )}
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

/** Whose clock a step's local moment is on. */
const WHOSE_TIME: Record<AutopilotStep["recipient"], string> = {
  person: "their time",
  manager: "their manager's time",
  organisation: "Support Operations' time",
};

/** `Escalates Lukas Becker's 2 findings 5 Dec 2026, 08:00 UTC (Thu 5 Dec, 09:00 Europe/Berlin their manager's time)`. */
function describeStep(step: AutopilotStep, now: string): string {
  const what = step.action === "escalate" ? "Escalates" : "Sends the Slack DM about";
  const findings = `${step.personName}'s ${step.findings} finding${step.findings === 1 ? "" : "s"}`;
  if (Date.parse(step.dueAt) <= Date.parse(now)) return `${what} ${findings} at its next look (due now)`;
  const local = step.zone ? formatInZone(step.dueAt, step.zone) : null;
  const at = local ? ` (${local} ${WHOSE_TIME[step.recipient]})` : "";
  return `${what} ${findings} ${formatDateTime(step.dueAt)}${at}`;
}
