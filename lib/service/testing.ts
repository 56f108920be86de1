/**
 * Test-only: a real service context over a temporary SQLite file and a sandbox PagerDuty serving the demo
 * org, with a clock that starts at `start` and can be moved.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuditConfigSchema } from "@/lib/config/schema";
import { openDatabase } from "@/lib/db/client";
import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { DEFAULT_WORKFLOW_SETTINGS } from "@/lib/workflow/types";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import type { AppContext } from "./context";
import { createClock } from "./context";

export interface TestContext {
  ctx: AppContext;
  sandbox: PagerDutySandbox;
  scenario: Scenario;
  close(): Promise<void>;
}

export async function createTestContext(start: Date): Promise<TestContext> {
  const scenario = generateDemoOrg({ now: start });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {});
  const dir = await mkdtemp(path.join(tmpdir(), "audit-service-"));
  const opened = await openDatabase({ dataDir: dir });
  const config = AuditConfigSchema.parse({
    ...scenario.config,
    pagerduty: { url: sandbox.url, max_retries: 1 },
  });
  const realStart = Date.now();
  const ctx: AppContext = {
    db: opened.db,
    // Starts at `start` and runs at real speed, so runs started one after the other are ordered.
    clock: createClock({ adjustable: true, realNow: () => start.getTime() + (Date.now() - realStart) }),
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
  };
  return {
    ctx,
    sandbox,
    scenario,
    async close() {
      await Promise.all(ctx.backgroundRuns.values());
      await opened.close();
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
