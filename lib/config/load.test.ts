import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectedAppError } from "@/lib/testing/errors";
import { loadAuditConfig, loadedOncePerVersion } from "./load";
import {
  CONFIG_CATEGORIES,
  CONFIG_CORPUS,
  CONFIG_FIXTURES,
  corpusFixtures,
  writeCorpusFile,
} from "./testing";

const EXAMPLE = join(import.meta.dirname, "fixtures", "good", "audit.config.example.yaml");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "config-load-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("config bad-input corpus", () => {
  it("covers every category, and every fixture file", async () => {
    expect(CONFIG_CORPUS.length).toBeGreaterThanOrEqual(31);
    expect(new Set(CONFIG_CORPUS.map((c) => c.name)).size).toBe(CONFIG_CORPUS.length);
    expect(new Set(CONFIG_CORPUS.map((c) => c.category))).toEqual(new Set(CONFIG_CATEGORIES));
    const used = corpusFixtures(CONFIG_CORPUS.map((c) => c.content));
    const files = (await readdir(CONFIG_FIXTURES)).map((f) => f.replace(/\.yaml\.txt$/, ""));
    expect(used.sort()).toEqual(files.sort());
  });

  it.each(CONFIG_CORPUS.map((c) => [c.name, c] as const))("%s", async (name, corpusCase) => {
    const file = join(scratch, `corpus-${name}.yaml`);
    await writeCorpusFile(file, corpusCase.content, CONFIG_FIXTURES);
    const started = performance.now();
    const error = await rejectedAppError(loadAuditConfig(file));
    // A guard against runaway parsing (an alias bomb would never finish), not a speed target: generous
    // enough for a loaded machine.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe("invalid:config");
    // The summary line names the file and the first problem's line: a failed run shows nothing else.
    expect(error.message).toContain(file);
    const first = corpusCase.details[0];
    if (first?.line !== undefined && !error.message.endsWith(" is empty.")) {
      expect(error.message).toContain(`line ${first.line})`);
    }
    expect(error.details).toHaveLength(corpusCase.details.length);
    corpusCase.details.forEach((want, i) => {
      const got = error.details[i];
      expect(got?.file).toBe(file);
      expect(got?.line).toBe(want.line);
      if (want.column !== undefined) expect(got?.column).toBe(want.column);
      expect(got?.path).toBe(want.path);
      expect(got?.entry).toBeUndefined();
      expect(got?.message).toMatch(want.message);
    });
  });
});

describe("loadAuditConfig", () => {
  it("reads the example and resolves roster.path against the config's directory", async () => {
    const config = await loadAuditConfig(EXAMPLE);
    expect(config.roster).toEqual({
      path: join(import.meta.dirname, "fixtures", "good", "support-team.yaml"),
    });
    expect(config.pagerduty.url).toBe("https://api.pagerduty.com");
  });

  it("lets PAGERDUTY_API_URL override pagerduty.url", async () => {
    const config = await loadAuditConfig(EXAMPLE, { pagerDutyApiUrl: "http://127.0.0.1:4010" });
    expect(config.pagerduty.url).toBe("http://127.0.0.1:4010");
    expect(config.pagerduty.concurrency).toBe(8);
  });

  it("keeps an absolute roster.path and a GitLab roster as written", async () => {
    const absolute = join(scratch, "abs.yaml");
    await writeFile(
      absolute,
      "roster: { path: /srv/roster/team.yaml }\nrotations: [{ id: a, name: A, schedules: [PX1], members: { field: x } }]\n",
    );
    expect((await loadAuditConfig(absolute)).roster).toEqual({ path: "/srv/roster/team.yaml" });
    const gitlab = join(scratch, "gitlab.yaml");
    await writeFile(
      gitlab,
      "roster: { gitlab: { project: 7, path: data/agents } }\nrotations: [{ id: a, name: A, schedules: [PX1], members: { field: x } }]\n",
    );
    expect((await loadAuditConfig(gitlab)).roster).toEqual({
      gitlab: { project: 7, path: "data/agents", ref: "main" },
    });
  });

  it("reports a missing file as not_found naming it", async () => {
    const file = join(scratch, "missing.yaml");
    const error = await rejectedAppError(loadAuditConfig(file));
    expect(error.code).toBe("not_found:config");
    expect(error.message).toContain(file);
  });

  it("refuses a directory", async () => {
    const error = await rejectedAppError(loadAuditConfig(scratch));
    expect(error.code).toBe("invalid:config");
    expect(error.details[0]?.message).toMatch(/directory/);
  });
});

describe("loadedOncePerVersion", () => {
  it("reads the file again only once it changed, and keeps no failure", async () => {
    const dir = await mkdtemp(join(tmpdir(), "config-once-"));
    const file = join(dir, "audit.config.yaml");
    try {
      await writeFile(file, "one");
      let reads = 0;
      let fail = false;
      const load = loadedOncePerVersion(file, async () => {
        reads += 1;
        if (fail) throw new Error("unreadable");
        return readFile(file, "utf8");
      });
      expect(await load()).toBe("one");
      expect(await load()).toBe("one");
      expect(reads).toBe(1);

      await writeFile(file, "two, longer");
      expect(await load()).toBe("two, longer");
      expect(reads).toBe(2);

      fail = true;
      await writeFile(file, "three, being typed");
      await expect(load()).rejects.toThrow("unreadable");
      fail = false;
      expect(await load()).toBe("three, being typed");
      expect(reads).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
