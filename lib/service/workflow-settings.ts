import { workingTimeOf } from "@/lib/config/schema";
import type { WorkflowSettings } from "@/lib/workflow/types";
import type { AppContext } from "./context";

/**
 * The workflow's settings for this request: the server's (timers, waiver limit) with the config's
 * `working_time`, so every status, due moment and refusal counts the timers on each person's working days
 * as the config says; without the section, in plain hours as before it existed. Read with the config, so a
 * changed `working_time` applies without a restart. A config that cannot be read (a typo being fixed) does
 * not take the findings pages down with it: the timers count plain hours meanwhile, logged; what posts
 * (pings, escalations, the DM) reads the config itself and is refused with its error.
 */
export async function workflowOf(ctx: AppContext): Promise<WorkflowSettings> {
  let config;
  try {
    config = await ctx.loadConfig();
  } catch (error) {
    ctx.log("The audit config could not be read; the chase's timers count plain hours until it can", error);
    return ctx.workflow;
  }
  return config.working_time ? { ...ctx.workflow, workingTime: workingTimeOf(config) } : ctx.workflow;
}
