import { deleteAllAudits } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { AppContext } from "./context";

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
