/**
 * Test-only: several app instances over one database, as several server processes behind a load balancer
 * would run. Each instance opens its own database handle (its own Postgres pool, or its own SQLite
 * connection) and has its own run registry; they share the database, one sandbox PagerDuty serving the demo
 * org, and one clock (processes share the wall clock), which starts at `start` and can be moved.
 */
import { AuditConfigSchema } from "@/lib/config/schema";
import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import type { TestDatabase } from "@/lib/db/testing";
import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { DEFAULT_WORKFLOW_SETTINGS } from "@/lib/workflow/types";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import type { AppContext, Clock } from "./context";
import { createClock } from "./context";

export interface TestInstances {
  /** One context per app instance, each with its own database handle. */
  instances: AppContext[];
  clock: Clock;
  sandbox: PagerDutySandbox;
  scenario: Scenario;
  /** Waits for every instance's background runs, then closes the handles and the sandbox (not `place`). */
  close(): Promise<void>;
}

/** `count` app instances over `place` (see lib/db/testing.ts), which the caller creates and drops. */
export async function createTestInstances(
  start: Date,
  place: TestDatabase,
  count: number,
): Promise<TestInstances> {
  const scenario = generateDemoOrg({ now: start });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {});
  const config = AuditConfigSchema.parse({
    ...scenario.config,
    pagerduty: { url: sandbox.url, max_retries: 1 },
  });
  const realStart = Date.now();
  // Starts at `start` and runs at real speed, so actions taken one after the other are ordered.
  const clock = createClock({ adjustable: true, realNow: () => start.getTime() + (Date.now() - realStart) });
  const opened: OpenedDatabase[] = [];
  try {
    // One after the other: the first brings the schema up to date, the others find nothing to do.
    for (let i = 0; i < count; i++) opened.push(await openDatabase(place.options));
  } catch (error) {
    await Promise.all(opened.map((o) => o.close()));
    await sandbox.stop();
    throw error;
  }
  const instances = opened.map((o): AppContext => ({
    db: o.db,
    clock,
    workflow: DEFAULT_WORKFLOW_SETTINGS,
    loadConfig: async () => config,
    loadRoster: async () => rosterOfScenario(scenario),
    createPagerDutyClient: (c) =>
      createPagerDutyClient({
        baseUrl: c.pagerduty.url,
        token: sandbox.token,
        concurrency: 4,
        requestsPerMinute: 10_000,
        timeoutMs: 2_000,
        maxRetries: 1,
      }),
    createGitLabClient: () => null,
    staleRunAfterMs: 60_000,
    backgroundRuns: new Map(),
    log: () => {},
  }));
  return {
    instances,
    clock,
    sandbox,
    scenario,
    async close() {
      await Promise.all(instances.flatMap((ctx) => [...ctx.backgroundRuns.values()]));
      await Promise.all(opened.map((o) => o.close()));
      await sandbox.stop();
    },
  };
}
