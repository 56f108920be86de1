import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditConfig } from "@/lib/config/schema";
import { listRuns } from "@/lib/db/queries";
import { openCurrentAudit, startAuditRun } from "@/lib/service/runs";
import { createTestContext, type TestContext } from "@/lib/testing/app-context";
import { rejectedAppError, thrownAppError } from "@/lib/testing/errors";
import { startGitLabSandbox } from "@/sandbox/gitlab/server";
import type { GitLabSandbox } from "@/sandbox/gitlab/types";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import { createRosterDepsForConfig, rosterGitLabUrl, type RosterConfig } from "./roster-source";

const START = new Date("2026-11-24T12:00:00Z");
const TEAM_PROJECT = "gitlab-com/support/team";
const TOKEN = "glpat-roster-reader";

const gitlabRoster = (url?: string): RosterConfig["roster"] => ({
  gitlab: { project: TEAM_PROJECT, path: "data/agents", ref: "main", ...(url ? { url } : {}) },
});
const issueExport = (url: string): RosterConfig["gitlab"] => ({
  url,
  project: "gitlab-com/support/support-ops/audits",
  template: "Pagerduty",
  labels: [],
});

describe("rosterGitLabUrl", () => {
  it.each<[string, RosterConfig, string | null]>([
    ["a local roster has none", { roster: { path: "support-team.yaml" } }, null],
    [
      "roster.gitlab.url wins",
      { roster: gitlabRoster("https://gitlab.example.com"), gitlab: issueExport("https://gitlab.com") },
      "https://gitlab.example.com",
    ],
    [
      "else the issue export's gitlab.url",
      { roster: gitlabRoster(), gitlab: issueExport("https://gitlab.example.com") },
      "https://gitlab.example.com",
    ],
    ["else gitlab.com", { roster: gitlabRoster() }, "https://gitlab.com"],
  ])("%s", (_name, config, expected) => {
    expect(rosterGitLabUrl(config)).toBe(expected);
  });
});

describe("createRosterDepsForConfig", () => {
  it("needs no GitLab and no token for a local roster", () => {
    expect(
      createRosterDepsForConfig({ roster: { path: "support-team.yaml" } }, { token: undefined }),
    ).toEqual({});
  });

  it("refuses a roster kept in GitLab without GL_TOKEN, saying where the roster is and what to set", () => {
    const error = thrownAppError(() =>
      createRosterDepsForConfig({ roster: gitlabRoster() }, { token: undefined }),
    );
    expect(error.code).toBe("invalid:environment");
    expect(error.message).toMatch(/^GL_TOKEN is not set/);
    expect(error.message).toContain(`data/agents at main in project ${TEAM_PROJECT} on https://gitlab.com`);
  });
});

describe("the server reading a roster kept in GitLab", () => {
  const scenario = generateDemoOrg({ now: START });
  let gitlab: GitLabSandbox;
  let t: TestContext;
  let config: AuditConfig;

  beforeAll(async () => {
    // The team project holds the roster both ways: one list file, and one file per person.
    const files: Record<string, string> = { "data/support-team.yaml": dump(scenario.roster) };
    scenario.roster.forEach((person, index) => {
      files[`data/agents/person-${String(index).padStart(3, "0")}.yaml`] = dump(person);
    });
    gitlab = await startGitLabSandbox({
      users: [{ id: 1, username: "roster-reader", name: "Roster reader", token: TOKEN }],
      projects: [{ id: 7, path_with_namespace: TEAM_PROJECT, files }],
    });
    t = await createTestContext(START, {
      roster: {
        source: {
          gitlab: { project: TEAM_PROJECT, path: "data/support-team.yaml", ref: "main", url: gitlab.url },
        },
        gitlabToken: TOKEN,
      },
    });
    config = await t.ctx.loadConfig();
  });

  afterAll(async () => {
    await t.close();
    await gitlab.stop();
  });

  const emails = (people: readonly { email: string }[]) => people.map((p) => p.email).sort();

  it("reads the list file and the directory of per-person files: the scenario's people", async () => {
    const fromFile = await t.ctx.loadRoster(config);
    expect(fromFile.source).toBe(`gitlab:${TEAM_PROJECT}@main:data/support-team.yaml`);
    expect(emails(fromFile.entries.map((e) => e.person))).toEqual(emails(scenario.roster));

    const fromDirectory = await t.ctx.loadRoster({ ...config, roster: gitlabRoster(gitlab.url) });
    expect(fromDirectory.entries[0]?.location.file).toBe(
      `gitlab:${TEAM_PROJECT}@main:data/agents/person-000.yaml`,
    );
    expect(emails(fromDirectory.entries.map((e) => e.person))).toEqual(emails(scenario.roster));
  });

  it("finds the roster's instance through the issue export's gitlab.url when the roster names none", async () => {
    const roster = await t.ctx.loadRoster({
      ...config,
      roster: gitlabRoster(),
      gitlab: issueExport(gitlab.url),
    });
    expect(roster.entries).toHaveLength(scenario.roster.length);
  });

  it("runs the audit over the roster read from GitLab", async () => {
    const audit = await openCurrentAudit(t.ctx, "Theo Marsh");
    const run = await startAuditRun(t.ctx, { auditId: audit.id, actor: "Theo Marsh" });
    await t.ctx.backgroundRuns.get(run.id);
    const [finished] = await listRuns(t.ctx.db, audit.id);
    expect(finished).toMatchObject({
      status: "complete",
      rosterSha256: (await t.ctx.loadRoster(config)).sha256,
    });
    expect(finished?.findingsCount).toBeGreaterThan(0);
  });

  it("fails the run with a clear reason when GL_TOKEN is not set", async () => {
    const other = await createTestContext(START, { roster: { source: gitlabRoster(gitlab.url) } });
    try {
      const audit = await openCurrentAudit(other.ctx, "Theo Marsh");
      const run = await startAuditRun(other.ctx, { auditId: audit.id, actor: "Theo Marsh" });
      await other.ctx.backgroundRuns.get(run.id);
      const [failed] = await listRuns(other.ctx.db, audit.id);
      expect(failed?.status).toBe("failed");
      expect(failed?.error).toMatch(/^GL_TOKEN is not set: the roster is read from GitLab/);
    } finally {
      await other.close();
    }
  });

  it("says so when the token is wrong, without repeating it", async () => {
    const other = await createTestContext(START, {
      roster: { source: gitlabRoster(gitlab.url), gitlabToken: "glpat-revoked" },
    });
    try {
      const error = await rejectedAppError(other.ctx.loadRoster(await other.ctx.loadConfig()));
      expect(error.code).toBe("upstream:gitlab_token");
      expect(error.message).not.toContain("glpat-revoked");
    } finally {
      await other.close();
    }
  });
});
