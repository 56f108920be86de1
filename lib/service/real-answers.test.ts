/**
 * The dashboard's audit run over inputs as they really are: a roster of one-person files written as people
 * leave them (`''` for unset fields, quoted stories continued at column 0, read as Ruby's libyaml does) and
 * a PagerDuty answering each way the real one does. Every run is complete, with exactly the findings of a
 * flawless read, and keeps the roster's warnings for the overview to show.
 */
import { readFile, readdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuditConfig } from "@/lib/config/load";
import { getRunReport } from "@/lib/db/queries";
import { loadRosterForConfig } from "@/lib/roster/load";
import type { AnswerOptions } from "@/sandbox/pagerduty/types";
import { auditScenario } from "@/sandbox/scenarios/audit-scenario";
import { writeScenario } from "@/sandbox/scenarios/write-scenario";
import type { AppContext } from "./context";
import { getRunWarnings, openCurrentAudit } from "./runs";
import { createTestContext, runAuditToEnd, type TestContext } from "@/lib/testing/app-context";

const START = new Date("2026-11-24T12:00:00Z");

let t: TestContext;
let ctx: AppContext;
let dir: string;
let auditId: string;
let configPath: string;
/** The person files with a quoted story continued at column 0. */
const storyFiles: string[] = [];

beforeAll(async () => {
  t = await createTestContext(START);
  dir = await mkdtemp(join(tmpdir(), "real-answers-"));
  const written = await writeScenario(join(dir, "demo"), t.scenario, {
    pagerdutyUrl: t.sandbox.url,
    agents: true,
  });
  const agents = written.agentsDir ?? "";
  for (const file of await readdir(agents)) {
    if ((await readFile(join(agents, file), "utf8")).includes("\nstory: ")) storyFiles.push(file);
  }
  const config = await loadAuditConfig(written.configPath);
  configPath = join(dir, "agents.config.yaml");
  await writeFile(configPath, JSON.stringify({ ...config, roster: { path: written.agentsDir } }));
  ctx = {
    ...t.ctx,
    loadConfig: () => loadAuditConfig(configPath),
    loadRoster: (loaded) => loadRosterForConfig(loaded),
  };
  auditId = (await openCurrentAudit(ctx, "ops")).id;
});

afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

/** Each case's answers, and the routes or statuses the sandbox must have served (so the case really ran). */
const ANSWERS: { name: string; answers: AnswerOptions; routes?: string[]; statuses?: string[] }[] = [
  { name: "PagerDuty's default answers", answers: {}, routes: ["GET /v3/schedules"] },
  { name: "v3 list pages without more or total", answers: { v3ListOmits: ["more", "total"] } },
  // Without the list, each shift-based ID is first read through v2, which answers 400.
  {
    name: "a v3 list the token may not read (403)",
    answers: { v3ListStatus: 403 },
    statuses: ["403", "400"],
  },
  { name: "a v3 list that is down (500)", answers: { v3ListStatus: 500 }, statuses: ["500", "400"] },
  {
    name: "v3 schedules without inline events",
    answers: { v3ScheduleOmits: "events" },
    routes: ["GET /v3/schedules/{id}/rotations/{rotation_id}/events"],
  },
  {
    name: "v3 schedules without rotations",
    answers: { v3ScheduleOmits: "rotations" },
    routes: ["GET /v3/schedules/{id}/rotations", "GET /v3/schedules/{id}/rotations/{rotation_id}/events"],
  },
  {
    name: "all of these at once",
    answers: { v3ListOmits: ["more", "total"], v3ListStatus: 500, v3ScheduleOmits: "rotations" },
    routes: ["GET /v3/schedules/{id}/rotations"],
    statuses: ["500", "400"],
  },
];

describe("a dashboard run over a people-edited roster and PagerDuty's real answers", () => {
  it.each(ANSWERS)("$name: complete, with exactly the findings of a flawless read", async (c) => {
    t.sandbox.setAnswers(c.answers);
    t.sandbox.resetStats();
    try {
      const run = await runAuditToEnd(ctx, auditId);
      const stats = t.sandbox.stats();
      for (const route of c.routes ?? []) expect(stats.byRoute[route], route).toBeGreaterThan(0);
      for (const status of c.statuses ?? []) expect(stats.byStatus[status], status).toBeGreaterThan(0);
      expect(run).toMatchObject({ status: "complete", error: null });
      const report = await getRunReport(ctx.db, run.id);
      const clean = auditScenario(t.scenario, START);
      expect(report?.complete).toBe(true);
      expect(report?.errors).toEqual([]);
      expect(report?.findings.map((f) => [f.key, f.message])).toEqual(
        clean.findings.map((f) => [f.key, f.message]),
      );
      // The roster was read leniently, and said so.
      expect(report?.warnings?.length).toBeGreaterThan(0);
    } finally {
      t.sandbox.setAnswers({});
    }
  });

  it("keeps the roster's warnings, one per story continued at column 0", async () => {
    const run = await runAuditToEnd(ctx, auditId);
    const warnings = await getRunWarnings(ctx, run);
    expect(storyFiles.length).toBeGreaterThan(1);
    expect(warnings.map((w) => w.file.split("/").at(-1)).sort()).toEqual([...storyFiles].sort());
    for (const warning of warnings) {
      expect(warning).toMatchObject({
        path: "story",
        column: 8,
        message: expect.stringMatching(/^a quoted value continues on lines that are not indented/),
      });
    }
  });

  // Last: it breaks the config.
  it("has no warnings for a failed run", async () => {
    await writeFile(configPath, "roster: [\n");
    const run = await runAuditToEnd(ctx, auditId);
    expect(run.status).toBe("failed");
    expect(await getRunWarnings(ctx, run)).toEqual([]);
  });
});
