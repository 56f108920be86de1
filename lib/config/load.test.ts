import { mkdtemp, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuditConfig } from "./load";
import { MAX_CONFIG_FILE_BYTES } from "./parse";
import { rejectedAppError } from "@/lib/testing/errors";

const BAD = join(import.meta.dirname, "fixtures", "bad");
const EXAMPLE = join(import.meta.dirname, "fixtures", "good", "audit.config.example.yaml");
const NO_ENV = { env: {} };

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "config-load-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface ExpectedDetail {
  line: number;
  column?: number;
  path?: string;
  message: RegExp;
}

/** Every file in fixtures/bad and the problems loading it must report, in order. */
const CORPUS: Record<string, ExpectedDetail[]> = {
  "no-rotations": [{ line: 3, column: 12, path: "rotations", message: /at least one rotation/ }],
  "missing-rotations": [{ line: 1, path: "rotations", message: /is required/ }],
  "bad-schedule-id": [
    {
      line: 6,
      column: 26,
      path: "rotations[0].schedules[1]",
      message: /PagerDuty schedule ID looks like PBLAHV7, got the text "https:/,
    },
  ],
  "duplicate-rotation-ids": [
    {
      line: 9,
      column: 9,
      path: "rotations[1].id",
      message: /"AMER-West" is already used by rotations\[0\] \(line 4\)/,
    },
  ],
  "unknown-top-level-key": [
    {
      line: 3,
      column: 1,
      path: "exempt_titles",
      message: /unknown key `exempt_titles`; allowed here: roster, pagerduty/,
    },
  ],
  "misspelled-rotations": [
    { line: 1, path: "rotations", message: /is required/ },
    { line: 3, path: "rotatons", message: /did you mean `rotations`/ },
  ],
  "unknown-rotation-key": [
    { line: 4, path: "rotations[0].schedules", message: /is required/ },
    { line: 6, column: 5, path: "rotations[0].schedule", message: /did you mean `schedules`/ },
  ],
  "url-without-scheme": [{ line: 4, column: 8, path: "pagerduty.url", message: /http\(s\) URL/ }],
  "url-ftp": [{ line: 4, path: "pagerduty.url", message: /http\(s\) URL.*"ftp:/ }],
  "field-empty-segment": [
    { line: 8, path: "rotations[0].members.field", message: /"pagerduty\.\.rotations" has an empty segment/ },
  ],
  "members-field-and-where": [
    {
      line: 7,
      path: "rotations[0].members",
      message: /exactly one of `field`.*or `where`.*found keys: field, where/,
    },
  ],
  "roster-without-source": [{ line: 1, column: 9, path: "roster", message: /either `path`.*or `gitlab`/ }],
  "tab-indentation": [{ line: 5, column: 1, message: /tab/ }],
  "top-level-list": [{ line: 1, message: /expected a mapping with roster and rotations, got a list/ }],
  "where-empty-title": [{ line: 9, path: "rotations[0].members.where.title", message: /must not be empty/ }],
  "requests-per-minute-text": [
    { line: 4, path: "pagerduty.requests_per_minute", message: /expected a number, got the text "fast"/ },
  ],
  "rotation-id-with-space": [{ line: 4, path: "rotations[0].id", message: /got the text "amer west"/ }],
  "gitlab-without-path": [{ line: 2, path: "roster.gitlab.path", message: /is required/ }],
  "duplicate-schedule": [
    {
      line: 9,
      path: "rotations[0].schedules[2]",
      message: /PSCHW01 is listed twice \(also schedules\[0\]\)/,
    },
  ],
  "empty-file": [{ line: 1, message: /empty/ }],
};

describe("config bad-input corpus", () => {
  it("has an expectation for every fixture file and a fixture for every expectation", async () => {
    const files = (await readdir(BAD)).map((f) => f.replace(/\.yaml\.txt$/, "")).sort();
    expect(files).toEqual(Object.keys(CORPUS).sort());
  });

  it.each(Object.entries(CORPUS))("%s", async (name, expected) => {
    const file = join(BAD, `${name}.yaml.txt`);
    const error = await rejectedAppError(loadAuditConfig(file, NO_ENV));
    expect(error.code).toBe("invalid:config");
    expect(error.message).toContain(file);
    expect(error.details).toHaveLength(expected.length);
    expected.forEach((want, i) => {
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
    const config = await loadAuditConfig(EXAMPLE, NO_ENV);
    expect(config.roster).toEqual({
      path: join(import.meta.dirname, "fixtures", "good", "support-team.yaml"),
    });
    expect(config.pagerduty.url).toBe("https://api.pagerduty.com");
  });

  it("lets PAGERDUTY_API_URL override pagerduty.url", async () => {
    const config = await loadAuditConfig(EXAMPLE, { env: { PAGERDUTY_API_URL: "http://127.0.0.1:4010" } });
    expect(config.pagerduty.url).toBe("http://127.0.0.1:4010");
    expect(config.pagerduty.concurrency).toBe(8);
  });

  it("refuses a PAGERDUTY_API_URL that is not an http(s) URL", async () => {
    const error = await rejectedAppError(
      loadAuditConfig(EXAMPLE, { env: { PAGERDUTY_API_URL: "localhost:4010" } }),
    );
    expect(error.code).toBe("invalid:environment");
    expect(error.details[0]?.path).toBe("PAGERDUTY_API_URL");
  });

  it("keeps an absolute roster.path and a GitLab roster as written", async () => {
    const absolute = join(scratch, "abs.yaml");
    await writeFile(
      absolute,
      "roster: { path: /srv/roster/team.yaml }\nrotations: [{ id: a, name: A, schedules: [PX1], members: { field: x } }]\n",
    );
    expect((await loadAuditConfig(absolute, NO_ENV)).roster).toEqual({ path: "/srv/roster/team.yaml" });
    const gitlab = join(scratch, "gitlab.yaml");
    await writeFile(
      gitlab,
      "roster: { gitlab: { project: 7, path: data/agents } }\nrotations: [{ id: a, name: A, schedules: [PX1], members: { field: x } }]\n",
    );
    expect((await loadAuditConfig(gitlab, NO_ENV)).roster).toEqual({
      gitlab: { project: 7, path: "data/agents", ref: "main" },
    });
  });

  it("reports a missing file as not_found naming it", async () => {
    const file = join(scratch, "missing.yaml");
    const error = await rejectedAppError(loadAuditConfig(file, NO_ENV));
    expect(error.code).toBe("not_found:config");
    expect(error.message).toContain(file);
  });

  it("refuses a directory", async () => {
    const error = await rejectedAppError(loadAuditConfig(scratch, NO_ENV));
    expect(error.code).toBe("invalid:config");
    expect(error.details[0]?.message).toMatch(/directory/);
  });

  it("refuses a file over the size cap", async () => {
    const file = join(scratch, "huge.yaml");
    await writeFile(file, "");
    await truncate(file, MAX_CONFIG_FILE_BYTES + 1);
    const error = await rejectedAppError(loadAuditConfig(file, NO_ENV));
    expect(error.code).toBe("invalid:config");
    expect(error.message).toMatch(/too large/);
  });

  it("points at the first byte that is not UTF-8", async () => {
    const file = join(scratch, "latin1.yaml");
    await writeFile(file, Buffer.from("roster: { path: x }\nrotations:\n  - name: Caf\xe9\n", "latin1"));
    const error = await rejectedAppError(loadAuditConfig(file, NO_ENV));
    expect(error.code).toBe("invalid:config");
    expect(error.details[0]).toMatchObject({
      file,
      line: 3,
      column: 14,
      message: expect.stringMatching(/0xE9/),
    });
  });
});
