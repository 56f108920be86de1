/**
 * A roster written the Ruby way (a quoted value continued at column 0) is audited like any other, and
 * the run keeps its warnings for the overview to show.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuditConfig } from "@/lib/config/load";
import type { Run } from "@/lib/db/queries";
import { loadRosterForConfig } from "@/lib/roster/load";
import { DEMO_EXPECTED } from "@/sandbox/scenarios/demo-org";
import { writeScenario } from "@/sandbox/scenarios/write-scenario";
import type { AppContext } from "./context";
import { getRunWarnings, openCurrentAudit } from "./runs";
import { createTestContext, runAuditToEnd, type TestContext } from "./testing";

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
  dir = await mkdtemp(join(tmpdir(), "roster-warnings-"));
  const demo = await writeScenario(join(dir, "demo"), t.scenario, {
    pagerdutyUrl: t.sandbox.url,
    agents: true,
  });
  // The demo's one-person files, as people leave them: some with a story continued at column 0.
  const agents = join(dir, "agents");
  await cp(demo.agentsDir ?? "", agents, { recursive: true });
  for (const file of await readdir(agents)) {
    if ((await readFile(join(agents, file), "utf8")).includes("\nstory: ")) storyFiles.push(file);
  }
  const config = await loadAuditConfig(demo.configPath, { env: {} });
  configPath = join(dir, "lenient.config.yaml");
  await writeFile(configPath, JSON.stringify({ ...config, roster: { path: agents } }));
  ctx = {
    ...t.ctx,
    loadConfig: () => loadAuditConfig(configPath, { env: {} }),
    loadRoster: (loaded) => loadRosterForConfig(loaded),
  };
  auditId = (await openCurrentAudit(ctx, "ops")).id;
});

afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const runToEnd = (): Promise<Run> => runAuditToEnd(ctx, auditId);

describe("a run over a roster read leniently", () => {
  it("finds what it always finds and keeps the roster's warnings", async () => {
    const run = await runToEnd();
    expect(run).toMatchObject({ status: "complete", findingsCount: DEMO_EXPECTED.length, error: null });
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

  it("has none for a failed run", async () => {
    await writeFile(configPath, "roster: [\n");
    const run = await runToEnd();
    expect(run.status).toBe("failed");
    expect(await getRunWarnings(ctx, run)).toEqual([]);
  });
});
