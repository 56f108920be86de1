/**
 * Test-only: several app instances over one database, as several server processes behind a load balancer
 * would run. Each instance opens its own database handle (its own Postgres pool, or its own SQLite
 * connection) and has its own run registry; they share the database, one sandbox PagerDuty serving the demo
 * org, one sandbox GitLab holding the audit issues (pings are posted there), and one clock (processes share
 * the wall clock), which starts at `start` and can be moved.
 */
import type { TestDatabase } from "@/lib/db/testing";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import type { AppContext, Clock } from "@/lib/service/context";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import { createGitLabTestContext } from "./app-context";

export interface TestInstances {
  /** One context per app instance, each with its own database handle. */
  instances: AppContext[];
  clock: Clock;
  sandbox: PagerDutySandbox;
  gitlab: GitLabSandbox;
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
  // Races post many comments at once; gitlab.com's 60 a minute is not what they are about.
  const t = await createGitLabTestContext(start, {
    database: place.options,
    gitlab: { sandbox: { notesPerMinute: 1_000_000 }, client: { notesPerMinute: 1_000_000 } },
  });
  const instances = [t.ctx];
  try {
    // One after the other: the first brought the schema up to date, the others find nothing to do.
    for (let i = 1; i < count; i++) instances.push(await t.openInstance());
  } catch (error) {
    await t.close();
    throw error;
  }
  return {
    instances,
    clock: t.ctx.clock,
    sandbox: t.sandbox,
    gitlab: t.gitlab,
    scenario: t.scenario,
    close: () => t.close(),
  };
}
