import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, describe, expect, it } from "vitest";
import { AuditConfigSchema } from "@/lib/config/schema";
import { generateDemoOrg } from "./demo-org";
import { generateOrg } from "./generate-org";
import { writeScenario } from "./write-scenario";

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
    expect(load(await readFile(written.rosterPath, "utf8"))).toEqual(demo.roster);

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
    expect(load(await readFile(path.join(agentsDir, "tomas.alvarez.yaml"), "utf8"))).toEqual(
      demo.roster.find((p) => p.name === "Tomás Alvarez"),
    );

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
});
