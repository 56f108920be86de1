import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, describe, expect, it } from "vitest";
import { checkAudit } from "@/lib/audit/check";
import { AuditConfigSchema } from "@/lib/config/schema";
import { loadRoster } from "@/lib/roster/load";
import type { Roster } from "@/lib/roster/schema";
import { auditScenario } from "./audit-scenario";
import { generateDemoOrg } from "./demo-org";
import { generateOrg } from "./generate-org";
import { writeScenario } from "./write-scenario";
import { snapshotOfState } from "./snapshot-of-state";
import type { Scenario } from "./scenario";

const NOW = new Date("2026-11-24T12:00:00Z");
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandbox-scenario-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("writeScenario", () => {
  it("writes the roster and config as YAML and the PagerDuty state as JSON, pointing at the sandbox", async () => {
    const dir = await tempDir();
    const demo = generateDemoOrg({ now: NOW });
    const written = await writeScenario(dir, demo, { pagerdutyUrl: "http://127.0.0.1:41234" });

    expect(written.agentsDir).toBeNull();
    expect(path.basename(written.rosterPath)).toBe("support-team.yaml");
    expect((await loadRoster({ path: written.rosterPath })).entries.map((e) => e.person.name)).toEqual(
      demo.roster.map((p) => p.name),
    );

    const config = AuditConfigSchema.parse(load(await readFile(written.configPath, "utf8")));
    expect(config.pagerduty.url).toBe("http://127.0.0.1:41234");
    expect(config.roster).toEqual({ path: "./support-team.yaml" });
    expect(config.rotations).toEqual(demo.config.rotations);

    expect(JSON.parse(await readFile(written.statePath, "utf8"))).toEqual(demo.pagerduty);
  });

  it("writes one file per person under agents/ when asked, clearing a previous scenario's files", async () => {
    const dir = await tempDir();
    const demo = generateDemoOrg({ now: NOW });
    const first = await writeScenario(dir, demo, { pagerdutyUrl: "http://127.0.0.1:1", agents: true });
    const agentsDir = first.agentsDir ?? "";
    const files = await readdir(agentsDir);
    expect(files).toHaveLength(demo.roster.length);
    const loaded = await loadRoster({ path: agentsDir });
    const tomas = loaded.entries.find((e) => e.person.name === "Tomás Alvarez");
    expect(tomas?.location.file).toBe(path.join(agentsDir, "tomas.alvarez.yaml"));
    expect(tomas?.person.email).toBe("tomas.alvarez@example.com");

    const small = generateOrg({
      people: 8,
      extraPagerDutyUsers: 0,
      schedules: 1,
      v3Share: 0,
      seed: 3,
      now: NOW,
    });
    await writeScenario(dir, small, { pagerdutyUrl: "http://127.0.0.1:1", agents: true });
    expect(await readdir(agentsDir)).toHaveLength(8);
  });

  it("writes the roster as people leave real ones ('' for unset fields, stories continuing at column 0), and the audit reads exactly the scenario", async () => {
    const dir = await tempDir();
    const demo = generateDemoOrg({ now: NOW });
    const written = await writeScenario(dir, demo, { pagerdutyUrl: "http://127.0.0.1:1", agents: true });
    const list = await readFile(written.rosterPath, "utf8");
    // The lenient shapes are really there: a quoted story whose next line starts at column 0, and ''.
    expect(list).toMatch(/^ {2}story: '[^'\n]*\n[A-Z][^\n]*\n'$/m);
    expect(list).toMatch(/^ {2}story: ".*\n\n[A-Z][^\n]*\n"$/m);
    expect(list).toMatch(/^ {4}id: ''$/m);
    // Roster warnings name each quoted story that continues at column 0.
    const warned = (await loadRoster({ path: written.rosterPath })).warnings ?? [];
    expect(warned.length).toBe(list.match(/^ {2}story: /gm)?.length);

    const clean = auditScenario(demo, NOW);
    expect(clean.findings.length).toBeGreaterThan(10);
    for (const rosterPath of [written.rosterPath, written.agentsDir ?? ""]) {
      const roster = await loadRoster({ path: rosterPath });
      const report = auditOf(demo, roster);
      expect(report.findings.map((f) => [f.key, f.message])).toEqual(
        clean.findings.map((f) => [f.key, f.message]),
      );
      expect(report.summary).toEqual(clean.summary);
    }
  });
});

/** The checker over `roster` as loaded from disk and a flawless read of the scenario's PagerDuty. */
function auditOf(scenario: Scenario, roster: Roster) {
  const config = AuditConfigSchema.parse(scenario.config);
  const snapshot = snapshotOfState(scenario.pagerduty, {
    scheduleIds: config.rotations.flatMap((r) => r.schedules),
    rosterUserIds: roster.entries.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : [])),
    fetchedAt: NOW,
  });
  return checkAudit({ roster, snapshot, config, now: NOW });
}
