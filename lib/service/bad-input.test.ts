/**
 * Bad input never changes what is stored. After good runs of the demo org (its roster as one list file,
 * then as one file per person), each roster and config of the bad-input corpus is swapped in and a run
 * started: the run fails with the loader's message, naming the file and the first problem's line, and
 * the audits, the audit's items and events, and its earlier runs stay exactly as they were.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuditConfig } from "@/lib/config/load";
import { parseAuditConfig } from "@/lib/config/parse";
import type { AuditConfig } from "@/lib/config/schema";
import {
  CONFIG_CORPUS,
  CONFIG_FIXTURES,
  writeCorpusFile,
  type ConfigCorpusCase,
  type ExpectedDetail,
} from "@/lib/config/testing";
import { getRunReport, listAudits, listEvents, listItems, listRuns, type Run } from "@/lib/db/queries";
import { loadRosterForConfig } from "@/lib/roster/load";
import { ROSTER_CORPUS, writeRosterCase, type RosterCorpusCase } from "@/lib/roster/testing";
import { DEMO_EXPECTED } from "@/sandbox/scenarios/demo-org";
import { writeScenario, type WrittenScenario } from "@/sandbox/scenarios/write-scenario";
import type { AppContext } from "./context";
import { openCurrentAudit } from "./runs";
import { createTestContext, runAuditToEnd, type TestContext } from "@/lib/testing/app-context";

const START = new Date("2026-11-24T12:00:00Z");
const EXAMPLE_CONFIG = join(
  import.meta.dirname,
  "..",
  "config",
  "fixtures",
  "good",
  "audit.config.example.yaml",
);

let t: TestContext;
let ctx: AppContext;
let dir: string;
let demo: WrittenScenario;
let auditId: string;
/** The config file the context reads; each case points it at its own. */
let configPath: string;
/** The example config (whose rotations the roster corpus is written for), reading PagerDuty from the sandbox. */
let rosterCaseConfig: AuditConfig;

beforeAll(async () => {
  t = await createTestContext(START);
  dir = await mkdtemp(join(tmpdir(), "bad-input-"));
  await mkdir(join(dir, "rosters"));
  await mkdir(join(dir, "configs"));
  demo = await writeScenario(join(dir, "demo"), t.scenario, { pagerdutyUrl: t.sandbox.url, agents: true });
  configPath = demo.configPath;
  // As the server loads them (lib/service/app-context.ts), from files this test swaps.
  ctx = {
    ...t.ctx,
    loadConfig: () => loadAuditConfig(configPath),
    loadRoster: (config) => loadRosterForConfig(config),
  };
  const example = parseAuditConfig(await readFile(EXAMPLE_CONFIG, "utf8"), EXAMPLE_CONFIG);
  rosterCaseConfig = { ...example, pagerduty: { ...example.pagerduty, url: t.sandbox.url } };
  auditId = (await openCurrentAudit(ctx, "ops")).id;
});

afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const runToEnd = (): Promise<Run> => runAuditToEnd(ctx, auditId);

async function storedState() {
  return {
    audits: await listAudits(ctx.db),
    items: await listItems(ctx.db, auditId),
    events: await listEvents(ctx.db, { auditId }),
    runs: await listRuns(ctx.db, auditId),
  };
}

let before: Awaited<ReturnType<typeof storedState>>;

/** A run of bad input fails, says where the first problem is, and leaves everything stored as it was. */
async function expectRefused(file: string, first: ExpectedDetail | undefined): Promise<void> {
  const run = await runToEnd();
  expect(run).toMatchObject({ status: "failed", findingsCount: 0, rosterSha256: null, snapshotSha256: null });
  expect(run.error).toContain(file);
  if (first?.line !== undefined && !run.error?.endsWith(" is empty.")) {
    expect(run.error).toContain(`line ${first.line})`);
  }
  expect(await getRunReport(ctx.db, run.id)).toBeNull();
  const after = await storedState();
  expect(after.audits).toEqual(before.audits);
  expect(after.items).toEqual(before.items);
  expect(after.events).toEqual(before.events);
  expect(after.runs.filter((r) => before.runs.some((b) => b.id === r.id))).toEqual(before.runs);
}

describe("bad input changes nothing stored", () => {
  beforeAll(async () => {
    // The demo org loads in both layouts, held to its config (rotation ids and managers included).
    configPath = demo.configPath;
    const fromList = await runToEnd();
    expect(fromList).toMatchObject({ status: "complete", findingsCount: DEMO_EXPECTED.length });
    const agentsConfig = join(dir, "demo-agents.yaml");
    const config = await loadAuditConfig(demo.configPath);
    await writeFile(agentsConfig, JSON.stringify({ ...config, roster: { path: demo.agentsDir } }));
    configPath = agentsConfig;
    const fromAgents = await runToEnd();
    expect(fromAgents).toMatchObject({ status: "complete", findingsCount: DEMO_EXPECTED.length });
    expect(fromAgents.rosterSha256).not.toBe(fromList.rosterSha256);
    before = await storedState();
    expect(before.items.length).toBeGreaterThan(0);
    expect(before.events.length).toBeGreaterThan(0);
  });

  it("has at least 30 bad rosters and configs", () => {
    expect(ROSTER_CORPUS.length + CONFIG_CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ROSTER_CORPUS.map((c) => [c.name, c] as const))(
    "roster %s",
    async (name, corpusCase: RosterCorpusCase) => {
      const caseDir = join(dir, "rosters", name);
      const path = await writeRosterCase(caseDir, corpusCase);
      configPath = join(dir, "rosters", `${name}.config.yaml`);
      // JSON is YAML: the example config, reading this case's roster.
      await writeFile(configPath, JSON.stringify({ ...rosterCaseConfig, roster: { path } }));
      const first = corpusCase.details[0];
      await expectRefused(first?.file === "." || !first ? caseDir : join(caseDir, first.file), first);
    },
  );

  it.each(CONFIG_CORPUS.map((c) => [c.name, c] as const))(
    "config %s",
    async (name, corpusCase: ConfigCorpusCase) => {
      configPath = join(dir, "configs", `${name}.yaml`);
      await writeCorpusFile(configPath, corpusCase.content, CONFIG_FIXTURES);
      await expectRefused(configPath, corpusCase.details[0]);
    },
  );
});
