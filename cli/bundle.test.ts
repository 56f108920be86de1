import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import { generateOrg } from "@/sandbox/scenarios/generate-org";
import { writeScenario, type WrittenScenario } from "@/sandbox/scenarios/write-scenario";
import {
  BUNDLE_FILE,
  INPUTS_FILE,
  WORKER_BUNDLE_FILE,
  findCompiledCliProblem,
} from "../bin/compiled-cli.mjs";
import { buildCli } from "../scripts/build-cli.mjs";
import { EXIT } from "./main";
import { runCliCapturing, type CliOutcome } from "./testing";

const NOW = "2026-11-24T12:00:00Z";
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(PROJECT_ROOT, "bin", "pagerduty-audit.mjs");

let sandbox: PagerDutySandbox;
let dir: string;
let written: WrittenScenario;

beforeAll(async () => {
  // What `npm run build:cli` does; written in place at once, so other tests running the bin meanwhile are safe.
  await buildCli(PROJECT_ROOT);
  const scenario = generateDemoOrg({ now: new Date(NOW) });
  sandbox = await startPagerDutySandbox(scenario.pagerduty, {});
  dir = await mkdtemp(path.join(tmpdir(), "pagerduty-audit-bundle-"));
  written = await writeScenario(dir, scenario, { pagerdutyUrl: sandbox.url, agents: true });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Outcome = CliOutcome;

/** The installed command, as a user runs it: a process from another directory. */
async function runBin(
  argv: string[],
  env: Record<string, string> = { PD_TOKEN: sandbox.token },
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...argv], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE_ENV: "test", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: unknown; stdout: string; stderr: string };
    if (typeof code !== "number") throw error;
    return { code, stdout, stderr };
  }
}

/** The TypeScript sources run in this process: what the launcher ran before there was a bundle. */
function runSources(
  argv: string[],
  env: Record<string, string> = { PD_TOKEN: sandbox.token },
): Promise<Outcome> {
  return runCliCapturing(argv, env, new Date(NOW));
}

describe("the compiled CLI", () => {
  it("is what the launcher runs once built, and prints the same help as the sources", async () => {
    expect(findCompiledCliProblem(PROJECT_ROOT)).toBeNull();
    const compiled = await runBin(["--help"]);
    expect(compiled.stderr).toBe("");
    expect(compiled.code).toBe(EXIT.clean);
    expect(compiled.stdout).toContain("Usage: pagerduty-audit [options]");
    expect(compiled.stdout).toBe((await runSources(["--help"])).stdout);
  }, 60_000);

  it("audits the sandbox PagerDuty to the same report, exit code and summary as the sources", async () => {
    const argv = ["--config", written.configPath, "--format", "json", "--no-progress", "--now", NOW];
    const compiled = await runBin(argv);
    const sources = await runSources(argv);
    expect(compiled.code).toBe(EXIT.findings);
    expect(compiled.code).toBe(sources.code);
    expect(JSON.parse(compiled.stdout)).toEqual(JSON.parse(sources.stdout));
    expect(compiled.stderr).toBe(sources.stderr);
    expect(compiled.stderr).toContain("Audit complete");
  }, 60_000);

  it("hands a report larger than a pipe holds whole to a reader that reads late, before it exits", async () => {
    // The launcher exits once its output is flushed rather than when the event loop drains; a pipe holds
    // 64 KiB, so most of a large org's report is still in the process when its audit is done.
    const org = generateOrg({
      people: 2000,
      extraPagerDutyUsers: 1000,
      schedules: 60,
      v3Share: 0.4,
      seed: 7,
      now: new Date(NOW),
    });
    const orgSandbox = await startPagerDutySandbox(org.pagerduty, {});
    try {
      const orgDir = path.join(dir, "large-org");
      await mkdir(orgDir, { recursive: true });
      const orgWritten = await writeScenario(orgDir, org, { pagerdutyUrl: orgSandbox.url });
      const argv = ["--config", orgWritten.configPath, "--format", "json", "--no-progress", "--now", NOW];
      const child = spawn(process.execPath, [BIN, ...argv], {
        cwd: orgDir,
        env: { PATH: process.env.PATH, NODE_ENV: "test", PD_TOKEN: orgSandbox.token },
      });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.stdout.pause();
      child.stderr.resume();
      const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
      // Long enough for the audit to be done and its report waiting on the full pipe.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      child.stdout.resume();
      const code = await closed;
      const report = Buffer.concat(chunks).toString("utf8");
      expect(report.length).toBeGreaterThan(2 * 64 * 1024);
      expect(code).toBe(EXIT.findings);
      const sources = await runCliCapturing(argv, { PD_TOKEN: orgSandbox.token }, new Date(NOW));
      expect(JSON.parse(report)).toEqual(JSON.parse(sources.stdout));
    } finally {
      await orgSandbox.stop();
    }
  }, 60_000);

  it("refuses a bad roster (read on its own thread) with the sources' words and exit code", async () => {
    const bad = path.join(dir, "bad-roster");
    await mkdir(bad, { recursive: true });
    await writeFile(path.join(bad, "audit.config.yaml"), await readFile(written.configPath, "utf8"));
    await writeFile(path.join(bad, "support-team.yaml"), "- name: Ada\n  email: not-an-address\n");
    const argv = ["--config", path.join(bad, "audit.config.yaml"), "--no-progress"];
    const compiled = await runBin(argv);
    const sources = await runSources(argv);
    expect(compiled.code).toBe(EXIT.error);
    expect(compiled.stderr).toContain("support-team.yaml:2:10: Ada › email");
    expect(compiled).toEqual(sources);
  }, 60_000);

  it.each([
    ["a list file whose YAML does not parse", "- name: Ada\n  email: [ada@example.com\n"],
    ["a directory of one file per person", null],
  ])(
    "reads %s on its own thread, as the sources do",
    async (name, roster) => {
      const caseDir = path.join(dir, name.replace(/\W+/g, "-"));
      await mkdir(caseDir, { recursive: true });
      const config = (await readFile(written.configPath, "utf8")).replace(
        /^roster:\n  path: .*\n/m,
        `roster:\n  path: ${roster === null ? written.agentsDir : "support-team.yaml"}\n`,
      );
      await writeFile(path.join(caseDir, "audit.config.yaml"), config);
      if (roster !== null) await writeFile(path.join(caseDir, "support-team.yaml"), roster);
      const argv = ["--config", path.join(caseDir, "audit.config.yaml"), "--no-progress", "--now", NOW];
      const compiled = await runBin(argv);
      expect(compiled.code).toBe(roster === null ? EXIT.findings : EXIT.error);
      expect(compiled).toEqual(await runSources(argv));
    },
    60_000,
  );

  it("builds the roster's reader into a bundle of its own, beside the CLI's", async () => {
    const inputs = JSON.parse(await readFile(path.join(PROJECT_ROOT, INPUTS_FILE), "utf8")) as string[];
    expect(inputs).toContain("cli/roster-worker.ts");
    const worker = await readFile(
      path.join(PROJECT_ROOT, path.dirname(BUNDLE_FILE), "roster-worker.mjs"),
      "utf8",
    );
    // Only what reading a roster needs: not the PagerDuty client nor the CLI's options.
    expect(worker).not.toContain("/v3/schedules");
    expect(worker).not.toContain("--no-progress");
  });

  it.runIf(process.platform === "linux")(
    "reads the roster on a thread that yields to the one reading PagerDuty",
    async () => {
      const niceValues = async () => {
        const tasks = await readdir("/proc/self/task");
        const stats = await Promise.all(
          tasks.map((task) => readFile(`/proc/self/task/${task}/stat`, "utf8")),
        );
        // The 19th field, counted after the command name (which may hold spaces) closes.
        return stats.map((stat) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
      };
      const before = (await niceValues()).filter((nice) => nice > 0).length;
      const worker = new Worker(path.join(PROJECT_ROOT, path.dirname(BUNDLE_FILE), "roster-worker.mjs"));
      try {
        await new Promise((resolve) => worker.once("online", resolve));
        await expect
          .poll(async () => (await niceValues()).filter((nice) => nice > 0).length)
          .toBe(before + 1);
      } finally {
        await worker.terminate();
      }
    },
  );

  it("waits for the roster read on its own thread before saying PD_TOKEN is missing, as the sources do", async () => {
    const argv = ["--config", written.configPath, "--no-progress"];
    const compiled = await runBin(argv, {});
    expect(compiled.code).toBe(EXIT.error);
    expect(compiled.stderr).toContain("PD_TOKEN is not set");
    expect(compiled).toEqual(await runSources(argv, {}));
  }, 60_000);

  it.each([
    ["a config that cannot be read", "missing.yaml", null],
    [
      "a roster in GitLab without GL_TOKEN",
      "gitlab.yaml",
      "roster:\n  gitlab:\n    project: support/team\n    path: data/agents\n",
    ],
  ])(
    "stops the roster's thread unused on %s, and says what the sources say",
    async (_name, file, roster) => {
      const config = path.join(dir, file);
      if (roster !== null) {
        const rest = (await readFile(written.configPath, "utf8")).replace(/^roster:\n  path: .*\n/m, "");
        await writeFile(config, roster + rest);
      }
      const argv = ["--config", config, "--no-progress"];
      const compiled = await runBin(argv);
      expect(compiled.code).toBe(EXIT.error);
      expect(compiled).toEqual(await runSources(argv));
    },
    60_000,
  );

  it("says so on a usage error, as the sources do", async () => {
    const compiled = await runBin(["--format", "yaml"]);
    expect(compiled.code).toBe(EXIT.error);
    expect(compiled.stderr).toBe((await runSources(["--format", "yaml"])).stderr);
  }, 60_000);
});

describe("whether the launcher may run the bundle", () => {
  let root: string;
  const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, seconds));
  const file = async (relative: string, contents: string, seconds: number) => {
    const where = path.join(root, relative);
    await mkdir(path.dirname(where), { recursive: true });
    await writeFile(where, contents);
    await utimes(where, at(seconds), at(seconds));
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "pagerduty-audit-bundle-check-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a missing bundle, runs a fresh one, and refuses one older than a source or the lock file", async () => {
    expect(findCompiledCliProblem(root)).toBe("not built");
    await file("cli/main.ts", "", 0);
    await file("lib/gone.ts", "", 0);
    await file("package-lock.json", "{}", 0);
    await file(INPUTS_FILE, JSON.stringify(["cli/main.ts", "lib/gone.ts"]), 10);
    await file(BUNDLE_FILE, "", 10);
    await file(WORKER_BUNDLE_FILE, "", 10);
    expect(findCompiledCliProblem(root)).toBeNull();

    // A shipped bundle without its sources is fine.
    await rm(path.join(root, "lib/gone.ts"));
    expect(findCompiledCliProblem(root)).toBeNull();

    await file("cli/main.ts", "// edited", 20);
    expect(findCompiledCliProblem(root)).toBe("older than cli/main.ts");
    await file("cli/main.ts", "", 0);
    await file("package-lock.json", "{}", 20);
    expect(findCompiledCliProblem(root)).toBe("older than package-lock.json");
  });

  it("refuses a bundle without its roster reader, which it starts on a thread of its own", async () => {
    await file("package-lock.json", "{}", 0);
    expect(findCompiledCliProblem(root)).toBeNull();
    await rm(path.join(root, WORKER_BUNDLE_FILE));
    expect(findCompiledCliProblem(root)).toBe("built without its roster reader");
    await file(WORKER_BUNDLE_FILE, "", 10);
  });

  it("refuses a bundle without its list of sources", async () => {
    await rm(path.join(root, INPUTS_FILE));
    expect(findCompiledCliProblem(root)).toBe("built without its list of sources");
  });
});
