/**
 * The CLI against the network floor: the installed command (`node bin/pagerduty-audit.mjs`, compiled first)
 * auditing the full-audit org over HTTP, against a bare client that only fetches the minimum requests for
 * the same data with the same requests in flight (`floor-client.mjs`), each its own process, timed from
 * spawn to exit, alternately, each run against a fresh sandbox (100 ms latency, 960 a minute enforced).
 * Target: the CLI within 1.25× the floor (medians). Where the time goes is read from outside: when the
 * sandbox saw the first request and sent the last answer, and when the CLI's stderr lines came.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { headersForPath } from "../../lib/pagerduty/request";
import { startPagerDutySandbox } from "../../sandbox/pagerduty/server";
import type { PagerDutyState } from "../../sandbox/pagerduty/types";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { writeScenario } from "../../sandbox/scenarios/write-scenario";
import { buildCli } from "../build-cli.mjs";
import { NOW, configOf, count, minimumRequestList, seconds, verdict } from "./common";
import { HTTP_SANDBOX, generateHttpOrg } from "./full-audit";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TARGET_RATIO = 1.25;
const ROUNDS = 5;
/** `--help` of the installed command against a bare `node -e 0`, medians of alternating runs. */
const START_TARGET_RATIO = 3;

interface Run {
  /** ms from spawn to the first request the sandbox saw, to the last answer it sent, and to exit. */
  firstRequest: number;
  lastAnswer: number;
  exit: number;
  /** stderr lines, each with when it arrived (ms from spawn). */
  lines: { text: string; at: number }[];
  requests: number;
  code: number | null;
}

/** Starts a fresh sandbox, spawns `node` with what `prepare` gives for it, and times it from spawn to exit. */
async function timeProcess(
  state: PagerDutyState,
  prepare: (url: string, token: string) => Promise<{ args: string[]; env: Record<string, string> }>,
): Promise<Run> {
  const sandbox = await startPagerDutySandbox(state, HTTP_SANDBOX);
  try {
    const { args, env } = await prepare(sandbox.url, sandbox.token);
    const lines: Run["lines"] = [];
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let pending = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const at = performance.now() - started;
      const parts = (pending + chunk).split("\n");
      pending = parts.pop() ?? "";
      for (const text of parts) lines.push({ text, at });
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", resolve);
    });
    const exit = performance.now() - started;
    const stats = sandbox.stats();
    return {
      firstRequest: (stats.firstRequestAt ?? Number.NaN) - started,
      lastAnswer: (stats.lastAnswerAt ?? Number.NaN) - started,
      exit,
      lines,
      requests: stats.requests,
      code,
    };
  } finally {
    await sandbox.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid] as number;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** ms from spawning `node args` to its exit (output discarded); rejects on a non-zero exit. */
function timeSpawn(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`node ${args.join(" ")}: exit ${code}`)),
    );
  });
}

/** How the command starts: `--help` against a bare node start, alternately, with the target. */
async function benchStart(): Promise<void> {
  const bare: number[] = [];
  const help: number[] = [];
  const cli = [path.join(ROOT, "bin/pagerduty-audit.mjs"), "--help"];
  await timeSpawn(cli); // warm the file cache, as a second start would be
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      bare.push(await timeSpawn(["-e", "0"]));
      help.push(await timeSpawn(cli));
    } else {
      help.push(await timeSpawn(cli));
      bare.push(await timeSpawn(["-e", "0"]));
    }
  }
  const ratio = median(help) / median(bare);
  console.log(
    "The CLI's start: --help %s ms, a bare node -e 0 %s ms (medians of %d alternating runs): %sx (target <= %sx: %s)",
    Math.round(median(help)),
    Math.round(median(bare)),
    ROUNDS,
    ratio.toFixed(2),
    START_TARGET_RATIO,
    verdict(ratio <= START_TARGET_RATIO),
  );
}

/** When the first stderr line starting with `start` arrived, ms from spawn. */
const lineAt = (run: Run, start: string): number =>
  run.lines.find((line) => line.text.trimStart().startsWith(start))?.at ?? Number.NaN;

const runs = (values: number[]): string => values.map(seconds).join(", ");

/** Returns false when a run failed (a wrong exit code: a correctness problem, not noise). */
export async function benchFloor(): Promise<boolean> {
  const built = await buildCli();
  await benchStart();
  const scenario = generateHttpOrg();
  const dir = await mkdtemp(path.join(tmpdir(), "pagerduty-audit-floor-"));
  try {
    // The config's URL is replaced per run: each run has its own sandbox, hence its own port.
    const written = await writeScenario(dir, scenario, { pagerdutyUrl: "http://127.0.0.1:9" });
    const config = configOf(scenario, "http://127.0.0.1:9");
    const roster = rosterOfScenario(scenario);
    const paths = minimumRequestList(scenario.pagerduty, config, roster);
    const concurrency = config.pagerduty.concurrency;
    const planFile = path.join(dir, "floor-plan.json");

    const runFloor = () =>
      timeProcess(scenario.pagerduty, async (url, token) => {
        const requests = paths.map((p) => ({
          path: p,
          headers: headersForPath(p.split("?")[0] ?? p, token),
        }));
        await writeFile(planFile, JSON.stringify({ url, concurrency, requests }));
        return { args: [path.join(ROOT, "scripts/bench/floor-client.mjs"), planFile], env: {} };
      });
    const runCli = () =>
      timeProcess(scenario.pagerduty, async (url, token) => ({
        args: [
          path.join(ROOT, "bin/pagerduty-audit.mjs"),
          "--config",
          written.configPath,
          "--now",
          NOW.toISOString(),
        ],
        env: { PD_TOKEN: token, PAGERDUTY_API_URL: url },
      }));

    const floor: Run[] = [];
    const cli: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternately, each going first every other round, so a machine getting busier hurts both alike.
      if (round % 2 === 0) {
        floor.push(await runFloor());
        cli.push(await runCli());
      } else {
        cli.push(await runCli());
        floor.push(await runFloor());
      }
    }

    const floorMs = median(floor.map((r) => r.exit));
    const cliMs = median(cli.map((r) => r.exit));
    const ratio = cliMs / floorMs;
    const ok = floor.every((r) => r.code === 0) && cli.every((r) => r.code === 1);
    console.log(
      "The CLI against the network floor: sandbox latency %d ms, %d in flight, %d alternating runs each, spawn to exit",
      HTTP_SANDBOX.latencyMs,
      concurrency,
      ROUNDS,
    );
    console.log(
      "  CLI: node bin/pagerduty-audit.mjs (compiled bundle, %s KiB), text report; floor: plain fetch of the %s minimum requests, JSON parsed",
      Math.round(built.bytes / 1024),
      count(paths.length),
    );
    console.log(
      "  floor: %s s  (runs %s; %s requests)",
      seconds(floorMs),
      runs(floor.map((r) => r.exit)),
      count(median(floor.map((r) => r.requests))),
    );
    console.log(
      "  CLI:   %s s  (runs %s; %s requests)",
      seconds(cliMs),
      runs(cli.map((r) => r.exit)),
      count(median(cli.map((r) => r.requests))),
    );
    console.log(
      "  CLI / floor: %sx (target <= %sx: %s)",
      ratio.toFixed(3),
      TARGET_RATIO,
      verdict(ratio <= TARGET_RATIO),
    );
    const at = (rs: Run[], pick: (r: Run) => number) => seconds(median(rs.map(pick)));
    console.log(
      "  floor, medians from spawn: first request %s s, last answer %s s, exit %s s",
      at(floor, (r) => r.firstRequest),
      at(floor, (r) => r.lastAnswer),
      at(floor, (r) => r.exit),
    );
    console.log(
      '  CLI, medians from spawn: first request %s s, "Auditing…" %s s, last answer %s s, summary line %s s, exit %s s',
      at(cli, (r) => r.firstRequest),
      at(cli, (r) => lineAt(r, "Auditing")),
      at(cli, (r) => r.lastAnswer),
      at(cli, (r) => lineAt(r, "Audit ")),
      at(cli, (r) => r.exit),
    );
    if (!ok) {
      console.log(
        "  unexpected exit codes (floor 0, CLI 1 expected): floor %s, CLI %s",
        floor.map((r) => r.code).join(","),
        cli.map((r) => r.code).join(","),
      );
      for (const line of cli.find((r) => r.code !== 1)?.lines ?? []) console.log("    %s", line.text);
    }
    return ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
