import { workingTimeOf } from "@/lib/config/schema";
import { DEFAULT_WORKING_TIME } from "@/lib/workflow/working-time";
import type { WorkflowSettings } from "@/lib/workflow/types";
import type { AppContext } from "./context";

/**
 * The workflow's settings for this request: the server's (timers, waiver limit) with the config's
 * `working_time`, so every status, due moment and refusal counts the timers on each person's working days
 * as the config says; without the section, on the default working week (Monday to Friday, 09:00-17:00
 * UTC): "72 hours" over a weekend is not 72 hours of anyone's working week. Plain hours only when the
 * config says `mode: calendar_hours`. Read with the config, so a changed `working_time` applies without a
 * restart. A config that cannot be read (a typo being fixed) does not take the findings pages down with
 * it: the timers count on the default working week meanwhile, logged; what posts (pings, escalations, the
 * DM) reads the config itself and is refused with its error.
 */
export async function workflowOf(ctx: AppContext): Promise<WorkflowSettings> {
  let config;
  try {
    config = await ctx.loadConfig();
  } catch (error) {
    ctx.log(
      "The audit config could not be read; the chase's timers count on the default working week until it can",
      error,
    );
    return { ...ctx.workflow, workingTime: DEFAULT_WORKING_TIME };
  }
  return { ...ctx.workflow, workingTime: workingTimeOf(config) };
}
