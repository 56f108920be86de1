import { checkSessionSecret } from "@/lib/auth/session-secret";
import { getAuthOptions } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";
import { AppError, formatErrorDetails } from "@/lib/errors";
import { getAppContext } from "@/lib/service/app-context";
import { autopilotTick } from "@/lib/service/autopilot/tick";
import { reapAbandonedRuns } from "@/lib/service/runs";
import { startPeriodic, type Periodic } from "./periodic";
import { DEFAULT_REPLY_SWEEP_MINUTES, startReplySweep, type ReplySweep } from "./reply-sweep";

/** Seconds between autopilot's looks at its schedule when `AUDIT_AUTOPILOT_TICK_SECONDS` is unset. */
export const DEFAULT_AUTOPILOT_TICK_SECONDS = 60;

// One reply sweep and one autopilot tick per server process, however many times Next loads this module.
const holder = globalThis as typeof globalThis & {
  __auditReplySweep?: ReplySweep;
  __auditAutopilot?: Periodic;
};

/**
 * Server start on the Node.js runtime: checks the sign-in configuration and the session secret, opens the app context, which
 * runs the database migrations, marks failed the runs that stopped servers left running, and starts the
 * periodic read of replies on the audit issues and autopilot's schedule. Called from instrumentation.ts.
 */
export async function startServer(): Promise<void> {
  // A misconfigured sign-in (the password-less demo sign-in in production, no session secret) must never
  // serve a request. A throw here only makes Next answer 500 to everything from a server that looks
  // healthy; exit instead.
  try {
    checkSessionSecret(getEnv());
    getAuthOptions();
  } catch (error) {
    console.error("The dashboard refuses to start.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
    process.exit(1);
  }

  // The database may still be coming up; the context is opened again on the first request that needs it.
  try {
    const ctx = await getAppContext();
    // A run of a server that was killed stays `running` in the database. Those whose heartbeat is stale
    // are nobody's (a live instance's run beats), so they end as failed now rather than when someone
    // next presses Run; pages and the next start treat a stale run as dead meanwhile, whatever happens here.
    await reapAbandonedRuns(ctx).catch((error: unknown) => {
      console.error("The dashboard could not mark the runs of stopped servers as failed at start.");
      console.error(error instanceof AppError ? formatErrorDetails(error) : error);
    });
  } catch (error) {
    console.error("The dashboard could not open its database at start; it will try again on first use.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
  }

  // A reply must stop its person's follow-up clock even when nobody clicks "Check replies". Each sweep asks
  // for the context again, so a database that was down at start is picked up once it is back.
  const minutes = getEnv().AUDIT_REPLY_SWEEP_MINUTES ?? DEFAULT_REPLY_SWEEP_MINUTES;
  if (minutes > 0) {
    holder.__auditReplySweep ??= startReplySweep({
      intervalMs: minutes * 60_000,
      getContext: getAppContext,
      log: (message, error) => console.error(`[audit] ${message}`, error ?? ""),
    });
  }

  // Autopilot: the config's schedule (`autopilot`), and the chase of the audits whose autopilot is on;
  // nothing happens without either. Every instance ticks; the database makes one of them take each step.
  const seconds = getEnv().AUDIT_AUTOPILOT_TICK_SECONDS ?? DEFAULT_AUTOPILOT_TICK_SECONDS;
  if (seconds > 0) {
    holder.__auditAutopilot ??= startPeriodic({
      intervalMs: seconds * 1000,
      getContext: getAppContext,
      log: (message, error) => console.error(`[audit] ${message}`, error ?? ""),
      failure: "Autopilot's tick failed; the next tick tries again.",
      task: (ctx) => autopilotTick(ctx),
    });
  }
}
