import { workingTimeOf } from "@/lib/config/schema";
import type { WorkflowSettings } from "@/lib/workflow/types";
import type { AppContext } from "./context";

/**
 * The workflow's settings for this request: the server's (timers, waiver limit) with the config's
 * `working_time`, so every status, due moment and refusal counts the timers on each person's working days
 * as the config says; without the section, in plain hours as before it existed. Read with the config, so a
 * changed `working_time` applies without a restart.
 */
export async function workflowOf(ctx: AppContext): Promise<WorkflowSettings> {
  const config = await ctx.loadConfig();
  return config.working_time ? { ...ctx.workflow, workingTime: workingTimeOf(config) } : ctx.workflow;
}
