import type { AppContext } from "@/lib/service/context";

export interface PeriodicOptions {
  /** From the end of one pass to the start of the next, in ms; the first starts one interval after start. */
  intervalMs: number;
  /** The context of each pass; the server's `getAppContext`, which opens it again if it failed before. */
  getContext(): Promise<AppContext>;
  /** Where a pass that failed as a whole is reported (no context, no database). */
  log(message: string, error?: unknown): void;
  /** What a failed pass is reported as. */
  failure: string;
  /** The work of one pass. */
  task(ctx: AppContext, options: { signal: AbortSignal }): Promise<unknown>;
}

export interface Periodic {
  /** No further pass starts; one in progress is aborted. Resolves once it has ended. */
  stop(): Promise<void>;
}

/**
 * Does `task` every `intervalMs`, in the background, for what the server does without being asked (the
 * reply sweep, autopilot's schedule). A pass never overlaps the previous one (the next is only scheduled
 * when it ends), never throws (failures are logged and the next pass tries again) and never keeps the
 * process alive on its own.
 */
export function startPeriodic(options: PeriodicOptions): Periodic {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const runOnce = async () => {
    try {
      await options.task(await options.getContext(), { signal: stopping.signal });
    } catch (error) {
      if (!stopping.signal.aborted) options.log(options.failure, error);
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
