import type { AppContext } from "@/lib/service/context";
import { sweepReplies, type ReplySweepResult } from "@/lib/service/chase/replies";
import { startPeriodic, type Periodic, type PeriodicOptions } from "./periodic";

/** Minutes between sweeps when `AUDIT_REPLY_SWEEP_MINUTES` is unset. */
export const DEFAULT_REPLY_SWEEP_MINUTES = 5;

export interface ReplySweepOptions extends Pick<PeriodicOptions, "intervalMs" | "getContext" | "log"> {
  /** Default `sweepReplies`; tests pass their own. */
  sweep?(ctx: AppContext, options: { signal: AbortSignal }): Promise<ReplySweepResult>;
}

export type ReplySweep = Periodic;

/** Reads the replies on every open audit's issue every `intervalMs`, in the background (see startPeriodic). */
export function startReplySweep(options: ReplySweepOptions): ReplySweep {
  return startPeriodic({
    ...options,
    failure: "The sweep for replies on audit issues failed.",
    task: options.sweep ?? sweepReplies,
  });
}
