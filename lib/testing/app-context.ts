/**
 * Test-only: a real service context over a temporary SQLite file (or a given database) and a sandbox
 * PagerDuty serving the demo org, with a clock that starts at `start` and can be moved; optionally a sandbox
 * GitLab holding the audit issues.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AuditConfigSchema,
  type AuditConfig,
  type IssueExportConfig,
  type RosterSource,
} from "@/lib/config/schema";
import { openDatabase, type OpenDatabaseOptions, type OpenedDatabase } from "@/lib/db/client";
import { listRuns, type Run } from "@/lib/db/queries";
import { createGitLabClient, type GitLabClientOptions } from "@/lib/gitlab/client";
import { loadConfiguredRoster } from "@/lib/gitlab/roster-source";
import { createPagerDutyClient } from "@/lib/pagerduty/client";
import { DEFAULT_WORKFLOW_SETTINGS } from "@/lib/workflow/types";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox, GitLabSandboxOptions } from "@/sandbox/gitlab/types";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import {
  AUDITS_PROJECT,
  AUDIT_TEMPLATE,
  GITLAB_SANDBOX_TOKEN,
  gitlabAuditsState,
} from "@/sandbox/scenarios/gitlab-audits";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import type { AppContext } from "@/lib/service/context";
import { createClock } from "@/lib/service/context";
import { exportToIssue } from "@/lib/service/export";
import { openCurrentAudit, startAuditRun } from "@/lib/service/runs";

export interface TestContextOptions {
  /** Where the data is kept; default: a new SQLite file in a temporary directory, removed by `close`. */
  database?: OpenDatabaseOptions;
  /**
   * Read the roster from this source the way the server does (`loadConfiguredRoster`, `gitlabToken` standing
   * in for GL_TOKEN). Default: the scenario's roster, handed over without reading any file.
   */
  roster?: { source: RosterSource; gitlabToken?: string };
  /**
   * The config's `working_time`. Default: plain calendar hours, so a test about something else can say
   * "73 hours later the follow-up is due" whatever the weekday and each demo person's zone; `"default"`
   * leaves the section out, for the working week the product counts on without one.
   */
  workingTime?: AuditConfig["working_time"] | "default";
}

export interface TestContext {
  ctx: AppContext;
  sandbox: PagerDutySandbox;
  scenario: Scenario;
  /**
   * Another app instance on the same database: its own database handle (so its own in-process export
   * lock) and background runs; the same config, sandbox and clock. Closed by `close`.
   */
  openInstance(): Promise<AppContext>;
  close(): Promise<void>;
}

export async function createTestContext(start: Date, options: TestContextOptions = {}): Promise<TestContext> {
  const scenario = generateDemoOrg({ now: start });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {});
  const dir = options.database ? null : await mkdtemp(path.join(tmpdir(), "audit-service-"));
  const database = options.database ?? { dataDir: dir ?? "" };
  const config = AuditConfigSchema.parse({
    ...scenario.config,
    ...(options.roster ? { roster: options.roster.source } : {}),
    pagerduty: { url: sandbox.url, max_retries: 1 },
    ...(options.workingTime === "default"
      ? {}
      : { working_time: options.workingTime ?? { mode: "calendar_hours" } }),
  });
  const roster = options.roster;
  const realStart = Date.now();
  // Starts at `start` and runs at real speed, so runs started one after the other are ordered.
  const clock = createClock({ adjustable: true, realNow: () => start.getTime() + (Date.now() - realStart) });
  const handles: OpenedDatabase[] = [];
  const instances: AppContext[] = [];

  const openInstance = async (): Promise<AppContext> => {
    const opened = await openDatabase(database);
    handles.push(opened);
    const ctx: AppContext = {
      db: opened.db,
      clock,
      workflow: DEFAULT_WORKFLOW_SETTINGS,
      loadConfig: async () => config,
      loadRoster: roster
        ? (c) => loadConfiguredRoster(c, { token: roster.gitlabToken, client: { maxRetries: 0 } })
        : async () => rosterOfScenario(scenario),
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
    instances.push(ctx);
    return ctx;
  };

  const ctx = await openInstance();
  return {
    ctx,
    sandbox,
    scenario,
    openInstance,
    async close() {
      await Promise.all(instances.flatMap((instance) => [...instance.backgroundRuns.values()]));
      await Promise.all(handles.map((handle) => handle.close()));
      await sandbox.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SandboxGitLabOptions {
  /** The config's `gitlab` labels and assignee; default none. */
  config?: Partial<Pick<IssueExportConfig, "labels" | "assignee">>;
  /** GitLab client options besides the URL and token (a short `timeoutMs`, a `fetch` that meddles). */
  client?: Partial<GitLabClientOptions>;
}

/**
 * `base` with a `gitlab` config section naming `server`'s audits project and GL_TOKEN set (the sandbox
 * bot's token): exports, pings and replies go to `server`. Its client does not retry unless told to.
 */
export async function withSandboxGitLab(
  base: AppContext,
  server: GitLabSandbox,
  options: SandboxGitLabOptions = {},
): Promise<AppContext> {
  const config: AuditConfig = {
    ...(await base.loadConfig()),
    gitlab: {
      url: server.url,
      project: AUDITS_PROJECT,
      template: AUDIT_TEMPLATE,
      labels: [],
      ...options.config,
    },
  };
  return {
    ...base,
    loadConfig: async () => config,
    createGitLabClient: (c) =>
      c.gitlab
        ? createGitLabClient({
            maxRetries: 0,
            ...options.client,
            baseUrl: c.gitlab.url,
            token: GITLAB_SANDBOX_TOKEN,
          })
        : null,
  };
}

export interface GitLabTestContext extends TestContext {
  /** The sandbox GitLab serving the audits project (`gitlabAuditsState`); stopped by `close`. */
  gitlab: GitLabSandbox;
}

/**
 * `createTestContext` with a sandbox GitLab: `ctx` and every `openInstance()` are wired to it (see
 * `withSandboxGitLab`). GitLab keeps its own clock, real time from `start` on: moving the app's clock
 * forward (the demo's 72 hours) does not move it, as it would not move gitlab.com's.
 */
export async function createGitLabTestContext(
  start: Date,
  options: TestContextOptions & { gitlab?: SandboxGitLabOptions & { sandbox?: GitLabSandboxOptions } } = {},
): Promise<GitLabTestContext> {
  const { gitlab: gitlabOptions = {}, ...contextOptions } = options;
  const t = await createTestContext(start, contextOptions);
  const { clock } = t.ctx;
  const gitlab = await startGitLabSandbox(gitlabAuditsState(t.scenario), {
    now: () => clock.now().getTime() - clock.offsetMs(),
    ...gitlabOptions.sandbox,
  }).catch(async (error: unknown) => {
    await t.close();
    throw error;
  });
  const ctx = await withSandboxGitLab(t.ctx, gitlab, gitlabOptions);
  return {
    ...t,
    ctx,
    gitlab,
    openInstance: async () => withSandboxGitLab(await t.openInstance(), gitlab, gitlabOptions),
    async close() {
      await t.close();
      await gitlab.stop();
    },
  };
}

/** Starts a run of the audit as Support Operations and waits for it to end; its stored row. */
export async function runAuditToEnd(ctx: AppContext, auditId: string): Promise<Run> {
  const run = await startAuditRun(ctx, { auditId, actor: "ops" });
  await ctx.backgroundRuns.get(run.id);
  const [latest] = await listRuns(ctx.db, auditId, { limit: 1 });
  if (latest?.id !== run.id) throw new Error("the run just started is not the latest");
  return latest;
}

/**
 * The current period's audit, opened and run to its end as Support Operations, and exported to its GitLab
 * issue, where pings are posted: ready to chase. Its id. `ctx` needs the sandbox GitLab.
 */
export async function openRunAndExport(ctx: AppContext, actor = "Theo Marsh"): Promise<string> {
  const auditId = (await openCurrentAudit(ctx, actor)).id;
  const run = await startAuditRun(ctx, { auditId, actor });
  await ctx.backgroundRuns.get(run.id);
  await exportToIssue(ctx, { auditId, actor });
  return auditId;
}
