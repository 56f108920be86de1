"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/client/api";
import { advanceDemoClock } from "@/lib/client/mutations";

/**
 * Demo mode only: how far the app's clock runs ahead of real time, and buttons to move it on, so the
 * 72-hour follow-up timers can be shown without waiting. Shown only to those who may move it
 * (`DEMO_CLOCK_PERMISSION`). The timers count working days (a weekend does not count), so "+1 week"
 * always brings a follow-up due; "+72 h" does from Monday or Tuesday.
 */
const STEPS = [
  { hours: 24, label: "+24 h" },
  { hours: 72, label: "+72 h" },
  { hours: 168, label: "+1 week" },
] as const;

export function DemoClock({ offsetHours }: { offsetHours: number }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const advance = useMutation({
    mutationFn: advanceDemoClock,
    onSuccess: () => startRefresh(() => router.refresh()),
  });
  const busy = advance.isPending || refreshing;

  return (
    <div
      role="group"
      aria-label="Demo clock"
      className="flex items-center gap-2 rounded-md bg-amber-50 px-2.5 py-1 text-xs text-amber-900 ring-1 ring-inset ring-amber-300"
    >
      <span aria-live="polite">
        Demo clock: <span className="font-semibold tabular-nums">+{offsetHours} h</span>
      </span>
      {STEPS.map(({ hours, label }) => (
        <Button
          key={hours}
          size="sm"
          variant="secondary"
          disabled={busy}
          onClick={() => advance.mutate(hours)}
          title={`Move the demo clock ${hours} hours forward`}
        >
          {label}
        </Button>
      ))}
      {advance.isError && (
        <span role="alert" className="text-rose-700">
          {errorMessage(advance.error)}
        </span>
      )}
    </div>
  );
}
