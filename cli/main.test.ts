import { execFile } from "node:child_process";
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "@/lib/audit/types";
import { FINDING_CODES } from "@/lib/audit/types";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { PagerDutySandbox } from "@/sandbox/pagerduty/types";
import { DEMO_EXPECTED, generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import { writeScenario } from "@/sandbox/scenarios/write-scenario";
import type { WrittenScenario } from "@/sandbox/scenarios/write-scenario";
import { EXIT } from "./main";
import { runCliCapturing } from "./testing";
import { closedPort } from "@/lib/testing/net";

const NOW = new Date("2026-11-24T12:00:00Z");
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

let sandbox: PagerDutySandbox;
let dir: string;
let written: WrittenScenario;

beforeAll(async () => {
  const scenario = generateDemoOrg({ now: NOW });
  sandbox = await startPagerDutySandbox(scenario.pagerduty, {});
  dir = await mkdtemp(path.join(tmpdir(), "pagerduty-audit-cli-"));
  written = await writeScenario(dir, scenario, { pagerdutyUrl: sandbox.url, agents: true });
});

afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

function run(argv: string[], env: Record<string, string | undefined> = { PD_TOKEN: sandbox.token }) {
  return runCliCapturing(argv, env, NOW);
}

describe("pagerduty-audit against the sandbox demo org", () => {
  it("finds exactly the demo org's planted problems, every finding code among them", async () => {
    const { code, stdout, stderr } = await run([
      "--config",
      written.configPath,
      "--format",
      "json",
      "--no-progress",
    ]);
    expect(stderr).toContain("Audit complete");
    expect(code).toBe(EXIT.findings);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report).toMatchObject({ version: 1, complete: true, errors: [] });
    const got = report.findings
      .map((f) => `${f.code}|${f.person?.name ?? "-"}|${f.schedule?.id ?? "-"}`)
      .sort();
    const want = DEMO_EXPECTED.map((e) => `${e.code}|${e.person ?? "-"}|${e.scheduleId ?? "-"}`).sort();
    expect(got).toEqual(want);
    expect(new Set(report.findings.map((f) => f.code))).toEqual(new Set(FINDING_CODES));
  });

  it("prints the text report for ## Notes on stdout and progress on stderr", async () => {
    const { code, stdout, stderr } = await run(["--config", written.configPath]);
    expect(code).toBe(EXIT.findings);
    expect(stdout).toMatch(/^PagerDuty audit, 2026-11-24T12:00:00.000Z\n/);
    expect(stdout).toMatch(/\nChloe Park \(@\w+\)\n- No PagerDuty ID in the roster\./);
    expect(stderr).toContain("reading users");
    expect(stdout).not.toContain("reading users");
  });

  it("writes the report to --output", async () => {
    const output = path.join(dir, "report.md");
    const { code, stdout } = await run([
      "-c",
      written.configPath,
      "-f",
      "markdown",
      "-o",
      output,
      "--no-progress",
    ]);
    expect(code).toBe(EXIT.findings);
    expect(stdout).toBe("");
    expect(await readFile(output, "utf8")).toContain("| Finding | Code | Count |");
  });

  it("refuses to run without PD_TOKEN, and says how to fix it", async () => {
    const { code, stderr } = await run(["--config", written.configPath], {});
    expect(code).toBe(EXIT.error);
    expect(stderr).toContain("PD_TOKEN is not set");
  });

  it("stops with a clear error on a revoked token", async () => {
    const { code, stderr, stdout } = await run(["--config", written.configPath, "--no-progress"], {
      PD_TOKEN: "not-the-token",
    });
    expect(code).toBe(EXIT.error);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/error: .*(401|token)/i);
    expect(stderr).not.toContain("not-the-token");
  });

  it("reports an incomplete audit (exit 2) naming the cause when the token is revoked mid-run", async () => {
    sandbox.setFaults({ revokeTokenAfter: 3 });
    try {
      const { code, stdout, stderr } = await run([
        "--config",
        written.configPath,
        "--format",
        "csv",
        "--no-progress",
      ]);
      expect(code).toBe(EXIT.error);
      expect(stdout.split("\r\n")[0]).toMatch(/^code,severity,/);
      // CSV has no room for the read errors: stderr says what went wrong.
      expect(stderr).toContain("Audit INCOMPLETE");
      expect(stderr).toMatch(
        /\d+ PagerDuty reads? failed: PagerDuty refused the token after 3 successful requests \(revoked or rotated during the audit\?\)\./,
      );
      expect(stderr).not.toContain(sandbox.token);
    } finally {
      sandbox.setFaults({});
    }
  });

  it("points at the file and line of a bad config", async () => {
    const bad = path.join(dir, "bad.config.yaml");
    await writeFile(
      bad,
      "roster: { path: ./support-team.yaml }\nrotations:\n  - id: ceoc\n    schedules: PABC123\n    name: CEOC\n    members: { field: pagerduty.rotations }\n",
    );
    const { code, stderr } = await run(["--config", bad]);
    expect(code).toBe(EXIT.error);
    expect(stderr).toContain("bad.config.yaml:4");
    expect(stderr).toContain("rotations[0].schedules");
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("reads a roster written the Ruby way and says on stderr and in the JSON report what to tidy", async () => {
    // The demo roster is written as people leave real ones: some stories continue at column 0.
    const lines = (await readFile(written.rosterPath, "utf8")).split("\n");
    const storyLines = lines.flatMap((text, i) => (text.startsWith("  story: ") ? [i + 1] : []));
    const line = storyLines[0];
    if (line === undefined) throw new Error("the demo roster has no story continued at column 0");
    const entry = lines
      .slice(0, line)
      .reverse()
      .find((text) => text.startsWith("- name: "))
      ?.slice("- name: ".length);

    const { code, stdout, stderr } = await run([
      "--config",
      written.configPath,
      "--format",
      "json",
      "--no-progress",
    ]);
    expect(code).toBe(EXIT.findings);
    expect(stderr).toContain(
      `warning: ${written.rosterPath}:${line}:10: ${entry} › story: a quoted value continues on lines that are not indented (from line ${line + 1})`,
    );
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.warnings?.map((w) => w.line)).toEqual(storyLines);
    expect(report.warnings?.[0]).toEqual({
      file: written.rosterPath,
      entry,
      path: "story",
      line,
      column: 10,
      message: expect.stringMatching(/^a quoted value continues on lines that are not indented/),
    });
  });

  it("shows a roster name's control characters as escapes on stderr, so they cannot drive the terminal", async () => {
    const hostileDir = path.join(dir, "hostile");
    const hostile = await writeScenario(hostileDir, generateDemoOrg({ now: NOW }), {
      pagerdutyUrl: sandbox.url,
    });
    // An entry whose story continues at column 0 gets a warning naming it; its name (no one's manager)
    // sets the terminal's title (OSC 0) and reverses the text after it.
    const text = await readFile(hostile.rosterPath, "utf8");
    const lines = text.split("\n");
    const nameAt = lines
      .flatMap((line, i) => (line.startsWith("  story: ") ? [i] : []))
      .map((story) => lines.slice(0, story).findLastIndex((line) => line.startsWith("- name: ")))
      .find((at) => !text.includes(`reports_to: ${lines[at]?.slice("- name: ".length)}`));
    if (nameAt === undefined) throw new Error("no entry with a story that is no one's manager");
    const name = lines[nameAt]?.slice("- name: ".length) ?? "";
    lines[nameAt] = `- name: "${name}\\e]0;pwned\\a\\u202E"`;
    await writeFile(hostile.rosterPath, lines.join("\n"));

    const { stderr } = await run(["--config", hostile.configPath, "--no-progress"]);
    expect(stderr).toContain(`${name}\\u001B]0;pwned\\u0007\\u202E › story: a quoted value continues`);
    expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it("rejects an unknown format", async () => {
    const { code, stderr } = await run(["--format", "xml"]);
    expect(code).toBe(EXIT.error);
    expect(stderr).toContain("Allowed choices are text, markdown, json, csv");
  });

  it("reports an incomplete audit (exit 2) when PagerDuty keeps failing, with no findings that depend on it", async () => {
    // The same config, told not to retry, so the test does not sit through the back-off.
    const impatient = path.join(dir, "impatient.config.yaml");
    const text = await readFile(written.configPath, "utf8");
    await writeFile(impatient, text.replace(/^pagerduty:\n/m, "pagerduty:\n  max_retries: 0\n"));
    sandbox.setFaults({ transientErrorRate: 1 });
    try {
      const { code, stdout } = await run(["--config", impatient, "--format", "json", "--no-progress"]);
      expect(code).toBe(EXIT.error);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.complete).toBe(false);
      expect(report.errors.length).toBeGreaterThan(0);
      // Only roster-only findings survive when PagerDuty could not be read at all.
      const codes = new Set(report.findings.map((f) => f.code));
      expect([...codes].every((c) => c === "missing_pagerduty_id" || c === "duplicate_pagerduty_id")).toBe(
        true,
      );
    } finally {
      sandbox.setFaults({});
    }
  });
});

describe("--output", () => {
  it.each([
    {
      what: "a file in a directory that does not exist",
      target: () => path.join(dir, "no-such-dir", "report.md"),
      why: () => `the directory ${path.join(dir, "no-such-dir")} does not exist`,
    },
    { what: "a directory", target: () => dir, why: () => "it is a directory" },
    {
      what: "a file under a file",
      target: () => path.join(written.configPath, "report.md"),
      why: () => `${written.configPath} is not a directory`,
    },
  ])("refuses $what before the audit runs: exit 2, no PagerDuty request", async ({ target, why }) => {
    sandbox.resetStats();
    const { code, stdout, stderr } = await run(["--config", written.configPath, "-o", target()]);
    expect(code).toBe(EXIT.error);
    expect(stdout).toBe("");
    expect(stderr).toBe(`error: Cannot write the report to ${target()}: ${why()}.\n`);
    expect(sandbox.stats().requests).toBe(0);
  });

  it("leaves no file behind when the audit then fails, and an existing report as it was", async () => {
    const fresh = path.join(dir, "never-written.md");
    const existing = path.join(dir, "last-week.md");
    await writeFile(existing, "last week's report\n");
    for (const output of [fresh, existing]) {
      const { code } = await run(["--config", written.configPath, "-o", output, "--no-progress"], {
        PD_TOKEN: "not-the-token",
      });
      expect(code).toBe(EXIT.error);
    }
    await expect(access(fresh)).rejects.toThrow(/ENOENT/);
    expect(await readFile(existing, "utf8")).toBe("last week's report\n");
  });
});

describe("progress while PagerDuty is failing", () => {
  it("shows each retry as it happens, so a slow run is never silent", async () => {
    const once = path.join(dir, "retry-once.config.yaml");
    const text = await readFile(written.configPath, "utf8");
    await writeFile(once, text.replace(/^pagerduty:\n/m, "pagerduty:\n  max_retries: 1\n"));
    sandbox.setFaults({ transientErrorRate: 1 });
    try {
      const { code, stderr } = await run(["--config", once, "--format", "json"]);
      expect(code).toBe(EXIT.error);
      const retries = stderr.split("\n").filter((line) => line.includes("retrying"));
      // The first back-off step waits 250-500 ms.
      for (const line of retries)
        expect(line).toMatch(
          /^ {2}retrying GET \/\S+ \((500|502|503|504|408)\), attempt 2 of 2, waiting 0\.[2-5] s$/,
        );
      expect(retries.some((line) => line.startsWith("  retrying GET /users ("))).toBe(true);
      expect(retries.some((line) => line.startsWith("  retrying GET /v3/schedules ("))).toBe(true);
    } finally {
      sandbox.setFaults({});
    }
  });

  it("names the host at once when nothing listens there", async () => {
    const port = await closedPort();
    const nowhere = path.join(dir, "nowhere.config.yaml");
    const text = await readFile(written.configPath, "utf8");
    expect(text).toContain(sandbox.url);
    await writeFile(nowhere, text.replace(sandbox.url, `http://127.0.0.1:${port}`));
    const started = performance.now();
    const { code, stdout, stderr } = await run(["--config", nowhere, "--no-progress"]);
    // Retries with back-off would take many seconds; the bound leaves room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(code).toBe(EXIT.error);
    // A setup mistake, not a partial audit: no report, the cause named once.
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /Cannot reach 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)\. Check the PagerDuty URL and the network\./,
    );
    expect(stderr).not.toMatch(/INCOMPLETE/);
  });
});

describe("pagerduty-audit with the roster in the sandbox GitLab", () => {
  const TEAM_PROJECT = "gitlab-com/support/team";
  const GL_TOKEN = "glpat-roster-reader";
  let gitlab: GitLabSandbox;
  /** The finding keys of the audit over the same roster read from disk. */
  let localKeys: string[];

  const findingKeys = (stdout: string) =>
    (JSON.parse(stdout) as AuditReport).findings.map((f) => f.key).sort();

  beforeAll(async () => {
    // The team project holds the roster both ways: one list file, and one file per person.
    const files: Record<string, string> = {
      "data/support-team.yaml": await readFile(written.rosterPath, "utf8"),
    };
    const agentsDir = written.agentsDir ?? "";
    for (const name of await readdir(agentsDir)) {
      files[`data/agents/${name}`] = await readFile(path.join(agentsDir, name), "utf8");
    }
    gitlab = await startGitLabSandbox({
      users: [
        { id: 1, username: "roster-reader", name: "Roster reader", token: GL_TOKEN },
        { id: 2, username: "aokafor", name: "Amara Okafor" },
      ],
      projects: [{ id: 7, path_with_namespace: TEAM_PROJECT, files }],
    });
    const local = await run(["--config", written.configPath, "--format", "json", "--no-progress"]);
    localKeys = findingKeys(local.stdout);
  });

  afterAll(async () => {
    await gitlab.stop();
  });

  /** The written config with its `roster` (and any other top-level keys) replaced, as a new file. */
  async function configWith(name: string, replaced: Record<string, unknown>): Promise<string> {
    const config = load(await readFile(written.configPath, "utf8")) as Record<string, unknown>;
    const file = path.join(dir, name);
    await writeFile(file, dump({ ...config, ...replaced }));
    return file;
  }

  const env = () => ({ PD_TOKEN: sandbox.token, GL_TOKEN });

  it("audits a roster file kept in GitLab: the same findings as the file on disk", async () => {
    const config = await configWith("gitlab-file.config.yaml", {
      roster: { gitlab: { project: TEAM_PROJECT, path: "data/support-team.yaml", url: gitlab.url } },
    });
    const { code, stdout, stderr } = await run(
      ["--config", config, "--format", "json", "--no-progress"],
      env(),
    );
    expect(stderr).toContain("Audit complete");
    expect(code).toBe(EXIT.findings);
    expect(findingKeys(stdout)).toEqual(localKeys);
  });

  it("audits a directory of per-person files in GitLab, on the instance of the config's gitlab section", async () => {
    const config = await configWith("gitlab-directory.config.yaml", {
      roster: { gitlab: { project: TEAM_PROJECT, path: "data/agents", ref: "main" } },
      gitlab: { url: gitlab.url, project: "gitlab-com/support/support-ops/audits" },
    });
    const { code, stdout } = await run(["--config", config, "--format", "json", "--no-progress"], env());
    expect(code).toBe(EXIT.findings);
    expect(findingKeys(stdout)).toEqual(localKeys);
  });

  it("mentions in the text for ## Notes only the users GitLab knows, and says which it left inert", async () => {
    const config = await configWith("gitlab-mentions.config.yaml", {
      gitlab: { url: gitlab.url, project: "gitlab-com/support/support-ops/audits" },
    });
    const { stdout, stderr } = await run(["--config", config, "--no-progress"], env());
    expect(stdout).toContain("\nAmara Okafor (@aokafor)\n");
    // Olivia Grant's username is no user of this GitLab: it could be a group.
    expect(stdout).toContain("\nOlivia Grant (@\u200dogrant)\n");
    expect(stderr).toContain(
      `warning: ogrant (gitlab.username of Olivia Grant) is not a user on ${gitlab.url}: a group, or no one.`,
    );
  });

  it("refuses a roster in GitLab without GL_TOKEN, and says how to fix it", async () => {
    const config = await configWith("gitlab-no-token.config.yaml", {
      roster: { gitlab: { project: TEAM_PROJECT, path: "data/agents", url: gitlab.url } },
    });
    const { code, stdout, stderr } = await run(["--config", config], { PD_TOKEN: sandbox.token });
    expect(code).toBe(EXIT.error);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: GL_TOKEN is not set: the roster is read from GitLab/);
    expect(stderr).toContain("Export a GitLab token with the read_api scope as GL_TOKEN");
  });

  it("stops with a clear error when GitLab refuses the token, without repeating it", async () => {
    const config = await configWith("gitlab-bad-token.config.yaml", {
      roster: { gitlab: { project: TEAM_PROJECT, path: "data/agents", url: gitlab.url } },
    });
    const { code, stderr } = await run(["--config", config, "--no-progress"], {
      PD_TOKEN: sandbox.token,
      GL_TOKEN: "glpat-revoked",
    });
    expect(code).toBe(EXIT.error);
    expect(stderr).toMatch(/error: .*(401|token)/i);
    expect(stderr).not.toContain("glpat-revoked");
  });
});

describe("the installed command", () => {
  it("runs through the bin launcher from any directory", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(PROJECT_ROOT, "bin", "pagerduty-audit.mjs"),
        "--config",
        written.configPath,
        "--format",
        "csv",
      ],
      { cwd: dir, env: { PATH: process.env.PATH, PD_TOKEN: sandbox.token, NODE_ENV: "test" } },
    ).catch((error: { code: number; stdout: string }) => {
      expect(error.code).toBe(EXIT.findings);
      return { stdout: error.stdout };
    });
    expect(stdout.split("\r\n")[0]).toMatch(/^code,severity,person_name/);
  }, 60_000);
});
