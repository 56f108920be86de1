import type { AuditConfig } from "@/lib/config/schema";
import type { Db } from "@/lib/db/queries";
import type { GitLabClient } from "@/lib/gitlab/client";
import type { PagerDutyClient } from "@/lib/pagerduty/client";
import type { Roster } from "@/lib/roster/schema";
import type { SlackClient } from "@/lib/slack/client";
import type { WorkflowSettings } from "@/lib/workflow/types";

/**
 * The clock of the app. Real time in production; in demo and e2e runs it can be moved forward, so that
 * "72 hours later" can be shown without waiting (`advance` refuses unless the context allows it).
 */
export interface Clock {
  now(): Date;
  /**
   * Real time, never moved by the demo: what a run's heartbeat is written and judged by, so that another
   * instance, or this server after a restart (its demo clock back at real time), reads it alike.
   */
  wallNow(): Date;
  /** How far the clock runs ahead of real time, in ms. */
  offsetMs(): number;
  advance(ms: number): void;
}

export function createClock(options: { adjustable: boolean; realNow?: () => number }): Clock {
  const realNow = options.realNow ?? (() => Date.now());
  let offset = 0;
  return {
    now: () => new Date(realNow() + offset),
    wallNow: () => new Date(realNow()),
    offsetMs: () => offset,
    advance(ms) {
      if (!options.adjustable) throw new Error("The clock can only be moved in demo mode.");
      offset += ms;
    },
  };
}

/** Everything the services need from the outside world, passed in so tests can build their own. */
export interface AppContext {
  db: Db;
  clock: Clock;
  workflow: WorkflowSettings;
  loadConfig(): Promise<AuditConfig>;
  loadRoster(config: AuditConfig): Promise<Roster>;
  createPagerDutyClient(config: AuditConfig): PagerDutyClient;
  /** A client of the config's `gitlab.url` with the server's GL_TOKEN; null when GL_TOKEN is not set. */
  createGitLabClient(config: AuditConfig): GitLabClient | null;
  /** A Slack client with the server's SLACK_BOT_TOKEN; absent or null without one (the DM is sent by hand). */
  createSlackClient?(): SlackClient | null;
  /** The dashboard's public URL (NEXTAUTH_URL), for links in what the app posts; absent when unknown. */
  appUrl?: string | null;
  /**
   * A run whose heartbeat (wall clock) is older than this is taken to have died: shown as failed, replaced
   * by the next start, marked failed at server start. A live run beats several times within it.
   */
  staleRunAfterMs: number;
  /** Runs in progress in this process, so tests (and shutdown) can wait for them. */
  backgroundRuns: Map<string, Promise<void>>;
  log(message: string, error?: unknown): void;
}
