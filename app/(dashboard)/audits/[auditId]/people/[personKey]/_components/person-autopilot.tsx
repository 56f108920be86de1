"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { setPersonAutopilotPaused } from "@/lib/client/mutations";

/**
 * Autopilot for this one person, while the audit's is on: whether it takes their due steps, and (for
 * Support Operations) the switch to pause it (they are chased by hand) or resume it.
 */
export function PersonAutopilot({
  auditId,
  personKey,
  personName,
  paused,
  canChange,
}: {
  auditId: string;
  personKey: string;
  personName: string;
  paused: boolean;
  canChange: boolean;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const change = useMutation({
    mutationFn: (next: boolean) => setPersonAutopilotPaused({ auditId, personKey, paused: next }),
    onSuccess: () => startRefresh(() => router.refresh()),
  });
  return (
    <div className="mt-4 border-t border-slate-100 pt-4 text-sm text-slate-700">
      <p>
        {paused
          ? `Autopilot is paused for ${personName}: their escalation and DM wait for someone to take them.`
          : `Autopilot takes ${personName}'s escalation and DM when they fall due.`}
      </p>
      {change.isError && (
        <p role="alert" className="mt-1 text-red-700">
          {errorMessage(change.error)}
        </p>
      )}
      {canChange && (
        <Button
          variant="secondary"
          className="mt-2"
          disabled={change.isPending || refreshing}
          onClick={() => change.mutate(!paused)}
        >
          {paused ? "Resume autopilot for them" : "Pause autopilot for them"}
        </Button>
      )}
    </div>
  );
}
