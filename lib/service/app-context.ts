import "server-only";
import { loadAuditConfig, loadedOncePerVersion } from "@/lib/config/load";
import { openDatabase } from "@/lib/db/client";
import { getEnv, isDemoMode } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createGitLabClient } from "@/lib/gitlab/client";
import { loadConfiguredRoster } from "@/lib/gitlab/roster-source";
import { createPagerDutyClientFromConfig } from "@/lib/pagerduty/client";
import { slackClientFromEnv } from "@/lib/slack/client";
import { DEFAULT_WORKFLOW_SETTINGS } from "@/lib/workflow/types";
import type { AppContext } from "./context";
import { createClock } from "./context";

/**
 * A run whose heartbeat (written every 20 s while its process lives, progress or not) is this old is taken
 * to have died with its process: the audit is free again that long after a server is killed.
 */
const STALE_RUN_AFTER_MS = 2 * 60_000;

// One context per server process. Kept on globalThis because Next may load this module more than once
// (route handlers and server components are bundled separately); they must share the database and clock.
const holder = globalThis as typeof globalThis & { __auditAppContext?: Promise<AppContext> };

/** The server's context: database (migrated on first use), config, roster, outside clients, clock. */
export function getAppContext(): Promise<AppContext> {
  holder.__auditAppContext ??= createServerContext().catch((error: unknown) => {
    holder.__auditAppContext = undefined;
    throw error;
  });
  return holder.__auditAppContext;
}

async function createServerContext(): Promise<AppContext> {
  const env = getEnv();
  const opened = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.AUDIT_DATA_DIR });
  const demo = isDemoMode(env);
  const slack = slackClientFromEnv(env);
  return {
    db: opened.db,
    clock: createClock({ adjustable: demo }),
    workflow: {
      ...DEFAULT_WORKFLOW_SETTINGS,
      maxWaiverMonths: env.AUDIT_MAX_WAIVER_MONTHS ?? DEFAULT_WORKFLOW_SETTINGS.maxWaiverMonths,
    },
    loadConfig: loadedOncePerVersion(env.AUDIT_CONFIG, () =>
      loadAuditConfig(env.AUDIT_CONFIG, { pagerDutyApiUrl: env.PAGERDUTY_API_URL }),
    ),
    loadRoster: (config) => loadConfiguredRoster(config, { token: env.GL_TOKEN }),
    createPagerDutyClient: (config) => {
      if (!env.PD_TOKEN) {
        throw new AppError(
          "invalid:environment",
          "PD_TOKEN is not set on the server: the audit cannot read PagerDuty.",
        );
      }
      return createPagerDutyClientFromConfig(config.pagerduty, env.PD_TOKEN);
    },
    createGitLabClient: (config) =>
      env.GL_TOKEN && config.gitlab
        ? createGitLabClient({ baseUrl: config.gitlab.url, token: env.GL_TOKEN })
        : null,
    // One client per server: it keeps the bot's own ids once asked (auth.test).
    createSlackClient: () => slack,
    appUrl: env.NEXTAUTH_URL ?? null,
    staleRunAfterMs: STALE_RUN_AFTER_MS,
    backgroundRuns: new Map(),
    log: (message, error) => console.error(`[audit] ${message}`, error ?? ""),
  };
}
