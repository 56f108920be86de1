/**
 * The demo: a sandbox PagerDuty seeded with a realistic support org, an audit of it printed by the CLI, and
 * the dashboard on top, signed in with a password-less demo sign-in.
 *
 *   npm run demo                   # audit printed, then the dashboard at http://127.0.0.1:3000 (Ctrl-C stops)
 *   npm run demo -- --once         # the printed audit only, then exit (used by the tests)
 *   npm run demo -- --port 3100 --data-dir data/e2e --fresh --no-audit   # what the e2e tests start
 *   npm run demo -- --people 2000 --latency 0 --no-audit   # a generated org of 2,000 (npm run bench:pages)
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { runCli } from "../cli/main";
import { stampBuild, staleBuildInputs } from "./build-stamp";
import { buildDemoAppEnv } from "./demo-app";
import { startGitLabSandbox } from "../sandbox/gitlab/server";
import { SLACK_SANDBOX_TOKEN, slackWorkspaceState } from "../sandbox/scenarios/slack-workspace";
import { startSlackSandbox } from "../sandbox/slack/server";
import { DEFAULT_SANDBOX_TOKEN, startPagerDutySandbox } from "../sandbox/pagerduty/server";
import { generateDemoOrg } from "../sandbox/scenarios/demo-org";
import { generateOrg } from "../sandbox/scenarios/generate-org";
import {
  AUDITS_PROJECT,
  AUDIT_TEMPLATE,
  GITLAB_SANDBOX_TOKEN,
  gitlabAuditsState,
} from "../sandbox/scenarios/gitlab-audits";
import { emailOf, pagerDutyUser, slugOf, type Scenario } from "../sandbox/scenarios/scenario";
import { writeScenario } from "../sandbox/scenarios/write-scenario";

interface DemoOptions {
  once: boolean;
  audit: boolean;
  port: number;
  dataDir: string;
  fresh: boolean;
  people?: number;
  latency: number;
  cpuProf?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new InvalidArgumentError("expected a port number");
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new InvalidArgumentError("expected a whole number from 1 to 100000");
  return count;
}

function parseLatency(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 10_000)
    throw new InvalidArgumentError("expected milliseconds from 0 to 10000");
  return ms;
}

/**
 * A generated org of `people` (the bench's shape: 60 schedules, half shift-based, 1,000 PagerDuty users
 * outside the roster) plus the Support Operations Manager the demo sign-in suggests, who has a PagerDuty
 * account but is on no SMOC schedule (one finding).
 */
function generatedOrg(people: number, now: Date): Scenario {
  const scenario = generateOrg({
    people,
    extraPagerDutyUsers: 1000,
    schedules: 60,
    v3Share: 0.5,
    seed: 7,
    now,
  });
  const vp = scenario.roster[0];
  // The generator's names have no hyphen, so the fallback is free when a generated person is a Sofia Reyes.
  const name = scenario.roster.some((p) => p.name === "Sofia Reyes") ? "Sofia Reyes-Ortega" : "Sofia Reyes";
  const user = pagerDutyUser({
    id: "PSOFIA1",
    name,
    email: emailOf(name),
    job_title: "Support Operations Manager",
  });
  scenario.roster.push({
    name,
    email: user.email,
    title: "Support Operations Manager",
    region: "AMER-E",
    tzdata_timezone: "America/New_York",
    ...(vp ? { reports_to: vp.name } : {}),
    pagerduty: { id: user.id },
    // Generated handles are initial + last name (`sreyes` may be taken); a dotted one never is.
    gitlab: { username: slugOf(name) },
  });
  scenario.pagerduty.users.push(user);
  return scenario;
}

const options = new Command()
  .name("demo")
  .option("--once", "print the audit and exit, without the dashboard", false)
  .option("--no-audit", "do not print the CLI audit first")
  .option("--port <port>", "dashboard port (on 127.0.0.1)", parsePort, 3000)
  .option(
    "--data-dir <dir>",
    "where the demo keeps its roster, config and database",
    path.join("data", "demo"),
  )
  .option("--fresh", "start from an empty database", false)
  .option("--people <count>", "serve a generated org of this many people instead of the demo org", parseCount)
  .option("--latency <ms>", "sandbox PagerDuty latency per request", parseLatency, 40)
  .option("--cpu-prof <dir>", "write a CPU profile of the dashboard server into this directory on exit")
  .parse()
  .opts<DemoOptions>();

/**
 * One line per phase on stderr, with the time since the process started (module loading included) and the
 * phase's own time: a fresh clone spends most of its first run in `next build`, and should be told so.
 */
// From the process start: the first line says how long loading the modules took.
let phaseStarted = 0;
function phase(text: string): void {
  const at = performance.now();
  process.stderr.write(
    `[demo ${(at / 1000).toFixed(1)} s] ${text} (${((at - phaseStarted) / 1000).toFixed(1)} s)\n`,
  );
  phaseStarted = at;
}
phase("started");

const dataDir = path.resolve(options.dataDir);
const now = new Date();
const scenario = options.people ? generatedOrg(options.people, now) : generateDemoOrg({ now });
// A little latency by default, so progress displays and the client's concurrency look like the real thing.
const sandbox = await startPagerDutySandbox(scenario.pagerduty, {
  latencyMs: options.latency,
  rateLimitPerMinute: 960,
});
// The audits project "Export to issue" writes into, with its issue template and a user per roster person.
const gitlab = await startGitLabSandbox(gitlabAuditsState(scenario));
// A Slack workspace with a user per roster person, for the chase's DMs to the Support Operations Manager.
const slack = await startSlackSandbox(slackWorkspaceState(scenario));
const opsManager = scenario.roster.find((p) => p.title === "Support Operations Manager");
const written = await writeScenario(path.join(dataDir, "scenario"), scenario, {
  pagerdutyUrl: sandbox.url,
  gitlab: {
    url: gitlab.url,
    project: AUDITS_PROJECT,
    template: AUDIT_TEMPLATE,
    labels: ["Support Operations", "PagerDuty audit"],
    ...(opsManager?.gitlab?.username ? { assignee: opsManager.gitlab.username } : {}),
  },
  agents: true,
});
const relative = (p: string) => path.relative(process.cwd(), p);
phase("sandboxes up, demo org written");
process.stderr.write(
  `Sandbox PagerDuty at ${sandbox.url} (token ${DEFAULT_SANDBOX_TOKEN}); demo org in ${relative(dataDir)}/scenario/\n` +
    `Sandbox GitLab at ${gitlab.url} (token ${GITLAB_SANDBOX_TOKEN}); audit issues go to ${AUDITS_PROJECT}\n` +
    `Sandbox Slack at ${slack.url} (token ${SLACK_SANDBOX_TOKEN}); what was sent: ${slack.url}/__sandbox/messages\n\n`,
);

if (options.audit || options.once) {
  const code = await runCli(["--config", written.configPath, "--format", "text"], {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    terminal: process.stderr.isTTY ? process.stderr : undefined,
    env: { PD_TOKEN: sandbox.token },
    now: () => now,
  });
  phase("audit printed");
  if (options.once) {
    await Promise.all([sandbox.stop(), gitlab.stop(), slack.stop()]);
    // Findings are expected in the demo (exit 1); anything else is a failure of the demo itself.
    process.exit(code === 1 ? 0 : code);
  }
}

buildIfStale();
if (options.fresh) await rm(path.join(dataDir, "audit.sqlite"), { force: true });
await mkdir(dataDir, { recursive: true });
const appUrl = `http://127.0.0.1:${options.port}`;
await writeFile(
  path.join(dataDir, "servers.json"),
  `${JSON.stringify(
    {
      app: appUrl,
      pagerduty: sandbox.url,
      token: sandbox.token,
      gitlab: gitlab.url,
      gitlabToken: GITLAB_SANDBOX_TOKEN,
      slack: slack.url,
      slackApiUrl: slack.apiUrl,
      slackToken: SLACK_SANDBOX_TOKEN,
    },
    null,
    2,
  )}\n`,
);
const app = spawn(
  process.execPath,
  [
    ...(options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(options.cpuProf)}`] : []),
    path.join("node_modules", "next", "dist", "bin", "next"),
    "start",
    "--port",
    String(options.port),
    "--hostname",
    "127.0.0.1",
  ],
  {
    stdio: ["ignore", "inherit", "inherit"],
    // The same environment as the e2e tests' extra instances (two-instances.spec.ts) are given.
    env: buildDemoAppEnv({
      appUrl,
      pagerdutyToken: sandbox.token,
      gitlabToken: GITLAB_SANDBOX_TOKEN,
      slack: { token: SLACK_SANDBOX_TOKEN, apiUrl: slack.apiUrl },
      configPath: written.configPath,
      dataDir,
      sessionSecret: randomBytes(32).toString("hex"),
    }),
  },
);
process.stderr.write(
  [
    "",
    `Dashboard: ${appUrl}  (demo sign-in: pick a person; "Sofia Reyes" is the Support Operations Manager)`,
    `CLI:       PD_TOKEN=${sandbox.token} npx pagerduty-audit --config ${relative(written.configPath)} --format markdown`,
    `Edit ${relative(written.rosterPath)} and run the audit again to see findings come and go. Ctrl-C stops everything.`,
    "",
  ].join("\n"),
);

void announceReady(appUrl);

let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  app.kill("SIGTERM");
  void Promise.all([sandbox.stop(), gitlab.stop(), slack.stop()]).then(() => process.exit(code));
};
app.on("exit", (code) => stop(code ?? 0));
process.once("SIGINT", () => stop(0));
process.once("SIGTERM", () => stop(0));

/**
 * Builds the dashboard unless the build in place was made from the sources as they are (see
 * `build-stamp.ts`). The sources are hashed before the build, so an edit made while it runs is caught at the
 * next start.
 */
function buildIfStale(): void {
  const root = process.cwd();
  const inputs = staleBuildInputs(root, process.env);
  if (inputs === null) {
    phase("dashboard build is up to date with the sources");
    return;
  }
  phase("sources hashed");
  process.stderr.write(
    "Building the dashboard (next build): about two minutes on a fresh clone, skipped while the sources stay as they are…\n",
  );
  const result = spawnSync(
    process.execPath,
    [path.join("node_modules", "next", "dist", "bin", "next"), "build"],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  if (result.status !== 0) {
    process.stderr.write("The dashboard did not build; see above.\n");
    process.exit(1);
  }
  stampBuild(root, inputs);
  phase("dashboard built");
}

/** Says when the dashboard answers (it takes a few seconds to start). */
async function announceReady(url: string): Promise<void> {
  for (let tries = 0; tries < 240; tries++) {
    try {
      await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(1_000) });
      phase(`dashboard answering at ${url}`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
