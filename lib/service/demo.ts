import { deleteAllAudits } from "@/lib/db/queries";
import type { Permission } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import type { AppContext } from "./context";

const HOUR_MS = 3_600_000;

/**
 * Who may move the demo clock: those who run audits. The route refuses everyone else, and the clock is shown
 * only to those who hold it (to others it would be a control that does nothing for them).
 */
export const DEMO_CLOCK_PERMISSION = "audit:run" satisfies Permission;

/** The demo clock as `POST /api/demo/clock` and `POST /api/demo/reset` answer it. */
export interface DemoClockState {
  /** The app's now, ISO 8601 UTC. */
  now: string;
  /** How far the app's clock runs ahead of real time. */
  offsetHours: number;
}

/** The app's clock: now, and how far it runs ahead of real time. */
export function readDemoClock(ctx: AppContext): DemoClockState {
  return { now: ctx.clock.now().toISOString(), offsetHours: ctx.clock.offsetMs() / HOUR_MS };
}

/** Demo only: moves the app's clock `hours` forward (refused by a clock that is not adjustable). */
export function advanceDemoClock(ctx: AppContext, hours: number): DemoClockState {
  ctx.clock.advance(hours * HOUR_MS);
  return readDemoClock(ctx);
}

/**
 * Demo and e2e only: forgets every audit and puts the clock back to real time, so each e2e spec starts from
 * the same empty dashboard. Refused while a run is in progress in this process.
 */
export async function resetDemo(ctx: AppContext): Promise<void> {
  if (ctx.backgroundRuns.size > 0)
    throw new AppError("conflict:run", "An audit run is in progress; reset after it ends.");
  await deleteAllAudits(ctx.db);
  ctx.clock.advance(-ctx.clock.offsetMs());
}
