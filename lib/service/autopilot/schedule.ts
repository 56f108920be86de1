/**
 * Scheduled audits: what the server does on its own when the config's `autopilot` asks for it. It opens
 * the period's audit at the start of the first working day of fiscal Q1 and Q3 and runs it, and re-runs
 * every open audit `rerun_every_hours` after its latest run, so fixes are confirmed without a click. Each
 * instance of the app ticks; the database makes exactly one of them take each step.
 */
import { workingTimeOf } from "@/lib/config/schema";
import { claimScheduledRun, listAudits, listRuns } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { scheduledOpeningOf } from "@/lib/workflow/fiscal";
import { calendarOf } from "@/lib/workflow/working-time";
import type { AppContext } from "../context";
import { openCurrentAudit, startAuditRun } from "../runs";

/** The name runs and audits the server starts on its own are recorded under. */
export const AUTOPILOT_ACTOR = "Autopilot";

export interface ScheduledWork {
  /** The audit opened (and run) by this tick, by name; null when none was. */
  opened: string | null;
  /** The audits whose re-run this tick started, by name. */
  reruns: string[];
}

/** One tick of the schedule: opens the period's audit when it is time, then starts the re-runs that are due. */
export async function runScheduledWork(ctx: AppContext): Promise<ScheduledWork> {
  const config = await ctx.loadConfig();
  const autopilot = config.autopilot;
  const work: ScheduledWork = { opened: null, reruns: [] };
  if (!autopilot) return work;
  if (autopilot.open_audits) {
    // The organisation's calendar: the default zone and the holidays everyone has.
    const calendar = calendarOf({ timezone: null, region: null }, workingTimeOf(config));
    work.opened = await openScheduledAudit(ctx, scheduledOpeningOf(ctx.clock.now(), calendar));
  }
  if (autopilot.rerun_every_hours > 0) {
    work.reruns = await startDueReruns(ctx, autopilot.rerun_every_hours * 3_600_000);
  }
  return work;
}

async function openScheduledAudit(
  ctx: AppContext,
  opening: ReturnType<typeof scheduledOpeningOf>,
): Promise<string | null> {
  if (opening === null || ctx.clock.now() < opening.at) return null;
  if ((await listAudits(ctx.db)).some((audit) => audit.name === opening.period.name)) return null;
  let audit;
  try {
    audit = await openCurrentAudit(ctx, AUTOPILOT_ACTOR);
  } catch (error) {
    // Another instance (or a person) opened it a moment ago: theirs stands.
    if (error instanceof AppError && error.code === "conflict:audit") return null;
    throw error;
  }
  await claimScheduledRun(ctx.db, { auditId: audit.id, now: ctx.clock.now(), everyMs: 0 });
  await startAuditRun(ctx, { auditId: audit.id, actor: AUTOPILOT_ACTOR });
  return audit.name;
}

/**
 * Starts the re-run of every open audit (not one in review, whose findings the reviewer is reading) whose
 * latest run started `everyMs` ago or more, or that was never run. A run in progress, or one another
 * instance started meanwhile, is left alone.
 */
async function startDueReruns(ctx: AppContext, everyMs: number): Promise<string[]> {
  const started: string[] = [];
  for (const audit of await listAudits(ctx.db)) {
    if (audit.status !== "open") continue;
    const now = ctx.clock.now();
    const [latest] = await listRuns(ctx.db, audit.id, { limit: 1 });
    if (latest && now.getTime() - Date.parse(latest.startedAt) < everyMs) continue;
    if (!(await claimScheduledRun(ctx.db, { auditId: audit.id, now, everyMs }))) continue;
    try {
      await startAuditRun(ctx, { auditId: audit.id, actor: AUTOPILOT_ACTOR });
      started.push(audit.name);
    } catch (error) {
      if (error instanceof AppError && (error.code === "conflict:run" || error.code === "conflict:audit"))
        continue;
      throw error;
    }
  }
  return started;
}
