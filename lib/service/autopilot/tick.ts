/** One look at what autopilot has to do: the schedule (audits to open, re-runs), then the chase's due steps. */
import type { AppContext } from "../context";
import { runChaseAutopilot, type ChaseAutopilotResult } from "./chase";
import { runScheduledWork, type ScheduledWork } from "./schedule";

export async function autopilotTick(ctx: AppContext): Promise<ScheduledWork & ChaseAutopilotResult> {
  const scheduled = await runScheduledWork(ctx);
  const chased = await runChaseAutopilot(ctx);
  return { ...scheduled, ...chased };
}
