import type { AppContext } from "@/lib/service/context";
import { sweepReplies, type ReplySweepResult } from "@/lib/service/chase/replies";

/** Minutes between sweeps when `AUDIT_REPLY_SWEEP_MINUTES` is unset. */
export const DEFAULT_REPLY_SWEEP_MINUTES = 5;

export interface ReplySweepOptions {
  /** From the end of one sweep to the start of the next, in ms; the first starts one interval after start. */
  intervalMs: number;
  /** The context of each sweep; the server's `getAppContext`, which opens it again if it failed before. */
  getContext(): Promise<AppContext>;
  /** Where a sweep that failed as a whole is reported (no context, no database). */
  log(message: string, error?: unknown): void;
  /** Default `sweepReplies`; tests pass their own. */
  sweep?(ctx: AppContext, options: { signal: AbortSignal }): Promise<ReplySweepResult>;
}

export interface ReplySweep {
  /** No further sweep starts; one in progress is aborted. Resolves once it has ended. */
  stop(): Promise<void>;
}

/**
 * Reads the replies on every open audit's issue every `intervalMs`, in the background. A sweep never
 * overlaps the previous one (the next is only scheduled when it ends), never throws (failures are logged
 * and the next sweep tries again) and never keeps the process alive on its own.
 */
export function startReplySweep(options: ReplySweepOptions): ReplySweep {
  const sweep = options.sweep ?? sweepReplies;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const runOnce = async () => {
    try {
      await sweep(await options.getContext(), { signal: stopping.signal });
    } catch (error) {
      if (!stopping.signal.aborted) options.log("The sweep for replies on audit issues failed.", error);
    }
  };
  const schedule = () => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      running = runOnce().finally(() => {
        running = undefined;
        schedule();
      });
    }, options.intervalMs);
    timer.unref();
  };

  schedule();
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
