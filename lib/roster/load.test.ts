import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ErrorCode } from "@/lib/errors";
import { loadRoster, type GitLabTreeItem } from "./load";
import { MAX_ROSTER_FILE_BYTES } from "./parse";
import { rejectedAppError } from "@/lib/testing/errors";

const BAD = join(import.meta.dirname, "fixtures", "bad");
const GOOD = join(import.meta.dirname, "fixtures", "good");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "roster-load-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function newDirectory(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return dir;
}

interface ExpectedDetail {
  line: number;
  column?: number;
  entry?: string;
  path?: string;
  message: RegExp;
}

interface CorpusCase {
  /** Error code; omitted for files that must load. */
  code?: ErrorCode;
  details?: ExpectedDetail[];
  /** Roster entries when the file must load. */
  entries?: number;
}

/**
 * Every file in fixtures/bad and what loading it must report. `person-*` files are one-person files and
 * are read as a directory roster; the others as a list file. `unknown-rotation-id` is a valid roster
 * whose problem only shows against a config (see membership.test.ts).
 */
const CORPUS: Record<string, CorpusCase> = {
  "syntax-bad-indentation": {
    code: "invalid:roster",
    details: [{ line: 3, column: 2, message: /bad indentation/ }],
  },
  "syntax-unclosed-flow-list": {
    code: "invalid:roster",
    details: [{ line: 6, message: /the "\[" on line 5 may not be closed/ }],
  },
  "tab-indentation": { code: "invalid:roster", details: [{ line: 2, message: /indented with a tab/ }] },
  "duplicate-key": {
    code: "invalid:roster",
    details: [{ line: 4, column: 3, message: /the key "email" appears twice/ }],
  },
  "top-level-mapping": {
    code: "invalid:roster",
    details: [{ line: 2, column: 1, message: /expected a list of people, got a mapping/ }],
  },
  "top-level-scalar": {
    code: "invalid:roster",
    details: [{ line: 1, message: /expected a list of people, got the text "Alice Nakamura, Bruno Costa"/ }],
  },
  "empty-file": {
    code: "invalid:roster",
    details: [{ line: 1, message: /empty; expected a list of people/ }],
  },
  "empty-list": { code: "invalid:roster", details: [{ line: 2, message: /list of people is empty/ }] },
  "entry-without-name": {
    code: "invalid:roster",
    details: [{ line: 3, column: 3, entry: "#1", path: "name", message: /is required/ }],
  },
  "entry-without-email": {
    code: "invalid:roster",
    details: [{ line: 3, entry: "Bruno Costa", path: "email", message: /is required/ }],
  },
  "entry-empty-name": {
    code: "invalid:roster",
    details: [{ line: 1, column: 9, entry: "#0", path: "name", message: /must not be empty/ }],
  },
  "email-not-an-address": {
    code: "invalid:roster",
    details: [{ line: 2, column: 10, entry: "Alice Nakamura", path: "email", message: /not an address/ }],
  },
  "pagerduty-as-string": {
    code: "invalid:roster",
    details: [
      {
        line: 3,
        column: 14,
        entry: "Alice Nakamura",
        path: "pagerduty",
        message: /expected a mapping, got the text "PABC123"/,
      },
    ],
  },
  "gitlab-username-number": {
    code: "invalid:roster",
    details: [
      {
        line: 5,
        entry: "Alice Nakamura",
        path: "gitlab.username",
        message: /expected text, got the number 12345/,
      },
    ],
  },
  "focuses-not-a-list": {
    code: "invalid:roster",
    details: [{ line: 3, entry: "Alice Nakamura", path: "focuses", message: /expected a list/ }],
  },
  "focus-percentage-text": {
    code: "invalid:roster",
    details: [
      {
        line: 5,
        entry: "Alice Nakamura",
        path: "focuses[0].percentage",
        message: /expected a number, got the text "60%"/,
      },
    ],
  },
  "name-is-a-list": {
    code: "invalid:roster",
    details: [{ line: 1, entry: "#0", path: "name", message: /expected text, got a list/ }],
  },
  "duplicate-emails-different-case": {
    code: "invalid:roster",
    details: [
      {
        line: 6,
        entry: "Alicia Nakamura",
        path: "email",
        message:
          /ANakamura@Example\.com is also used by Alice Nakamura \(.*duplicate-emails-different-case\.yaml\.txt:2\)/,
      },
    ],
  },
  "entry-is-text": {
    code: "invalid:roster",
    details: [{ line: 3, column: 3, entry: "#1", message: /expected a person .* got the text "Bruno Costa/ }],
  },
  "entry-is-empty": {
    code: "invalid:roster",
    details: [{ line: 3, column: 1, entry: "#1", message: /expected a person .* got nothing/ }],
  },
  "many-problems": {
    code: "invalid:roster",
    details: [
      { line: 3, entry: "Alice Nakamura", path: "pagerduty", message: /expected a mapping/ },
      { line: 7, entry: "Bruno Costa", path: "gitlab.username", message: /expected text/ },
      { line: 8, entry: "#2", path: "name", message: /is required/ },
      { line: 11, entry: "Chloé Martin", path: "start_date", message: /expected a date/ },
      { line: 13, entry: "Dmitri Volkov", path: "email", message: /also used by Bruno Costa/ },
    ],
  },
  "alias-bomb": {
    code: "invalid:roster",
    details: [{ line: 6, column: 21, message: /too many aliases.*billion laughs/ }],
  },
  "recursive-alias": { code: "invalid:roster", details: [{ line: 4, message: /cycle/ }] },
  "multiple-documents": {
    code: "invalid:roster",
    details: [{ line: 4, message: /more than one YAML document/ }],
  },
  "unsupported-tag": { code: "invalid:roster", details: [{ line: 3, message: /only plain YAML/ }] },
  "too-deep": { code: "invalid:roster", details: [{ line: 3, message: /nesting is too deep/ }] },
  "proto-key": { code: "invalid:roster", details: [{ line: 3, column: 3, message: /__proto__/ }] },
  "non-utf8-latin1": {
    code: "invalid:roster",
    details: [{ line: 3, column: 13, message: /byte 0xE9 is not valid UTF-8/ }],
  },
  "bom-is-fine": { entries: 2 },
  "unknown-rotation-id": { entries: 2 },
  "person-holds-a-list": {
    code: "invalid:roster",
    details: [
      { line: 1, message: /expected one person \(a mapping\), got a list.*set roster\.path to this file/ },
    ],
  },
  "person-without-email": {
    code: "invalid:roster",
    details: [{ line: 1, entry: "Alice Nakamura", path: "email", message: /is required/ }],
  },
  "person-is-text": {
    code: "invalid:roster",
    details: [{ line: 1, message: /expected one person \(a mapping\), got the text "Alice Nakamura"/ }],
  },
};

describe("roster bad-input corpus", () => {
  it("has an expectation for every fixture file and a fixture for every expectation", async () => {
    const files = (await readdir(BAD)).map((f) => f.replace(/\.yaml\.txt$/, "")).sort();
    expect(files).toEqual(Object.keys(CORPUS).sort());
  });

  it.each(Object.entries(CORPUS))("%s", async (name, expected) => {
    let file = join(BAD, `${name}.yaml.txt`);
    let load = () => loadRoster({ path: file });
    if (name.startsWith("person-")) {
      const dir = await newDirectory(`corpus-${name}`, {});
      file = join(dir, `${name}.yaml`);
      await copyFile(join(BAD, `${name}.yaml.txt`), file);
      load = () => loadRoster({ path: dir });
    }
    if (expected.code === undefined) {
      const roster = await load();
      expect(roster.entries).toHaveLength(expected.entries ?? 0);
      return;
    }
    const error = await rejectedAppError(load());
    expect(error.code).toBe(expected.code);
    expect(error.message).toContain(file);
    const details = expected.details ?? [];
    expect(error.details).toHaveLength(details.length);
    details.forEach((want, i) => {
      const got = error.details[i];
      expect(got?.file).toBe(file);
      expect(got?.line).toBe(want.line);
      if (want.column !== undefined) expect(got?.column).toBe(want.column);
      expect(got?.entry).toBe(want.entry);
      expect(got?.path).toBe(want.path);
      expect(got?.message).toMatch(want.message);
    });
  });

  it("counts lines after a byte order mark as the editor shows them", async () => {
    const roster = await loadRoster({ path: join(BAD, "bom-is-fine.yaml.txt") });
    expect(roster.entries.map((e) => [e.person.name, e.location.line])).toEqual([
      ["Alice Nakamura", 1],
      ["Bruno Costa", 3],
    ]);
  });
});

describe("loadRoster from a list file", () => {
  it("reads the sample support team with every field and its sha256", async () => {
    const file = join(GOOD, "support-team.yaml");
    const roster = await loadRoster({ path: file });
    expect(roster.source).toBe(file);
    expect(roster.sha256).toBe(
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex"),
    );
    expect(roster.entries).toHaveLength(8);
    const alice = roster.entries[0];
    expect(alice?.location).toEqual({ file, index: 0, line: 3 });
    expect(alice?.person).toMatchObject({
      name: "Alice Nakamura",
      email: "anakamura@example.com",
      reports_to: "Priya Raman",
      pagerduty: { id: "PA1B2C3", rotations: ["amer-west"] },
      gitlab: { id: 1001, username: "anakamura" },
      slack: { id: "U01AAA001", username: "alice.nakamura" },
      focuses: [
        { name: "GitLab.com", percentage: 60 },
        { name: "Self-managed", percentage: 40 },
      ],
      tzdata_timezone: "America/Los_Angeles",
      start_date: "2021-03-01",
    });
    expect(roster.entries.map((e) => e.location.line)).toEqual([3, 25, 46, 68, 86, 106, 128, 144]);
  });

  it("refuses a file over the size cap without reading it", async () => {
    const file = join(scratch, "huge.yaml");
    await writeFile(file, "");
    await truncate(file, MAX_ROSTER_FILE_BYTES + 1);
    const error = await rejectedAppError(loadRoster({ path: file }));
    expect(error.code).toBe("invalid:roster");
    expect(error.message).toContain(file);
    expect(error.details[0]?.message).toMatch(/5\.0 MiB/);
  });

  it("says which file is UTF-16 rather than UTF-8", async () => {
    const file = join(scratch, "utf16.yaml");
    await writeFile(file, Buffer.from("\uFEFF- name: A\n  email: a@example.com\n", "utf16le"));
    const error = await rejectedAppError(loadRoster({ path: file }));
    expect(error.code).toBe("invalid:roster");
    expect(error.details[0]).toMatchObject({ file, line: 1, message: expect.stringMatching(/UTF-16/) });
  });

  it("reports a missing path as not_found naming it", async () => {
    const file = join(scratch, "nowhere", "support-team.yaml");
    const error = await rejectedAppError(loadRoster({ path: file }));
    expect(error.code).toBe("not_found:roster");
    expect(error.message).toContain(file);
  });
});

describe("loadRoster from a directory", () => {
  it("reads every *.yaml and *.yml file in name order, one person each, and ignores other files", async () => {
    const dir = join(GOOD, "agents");
    const roster = await loadRoster({ path: dir });
    expect(roster.entries.map((e) => [e.person.name, e.location])).toEqual([
      ["Alice Nakamura", { file: join(dir, "alice-nakamura.yaml"), index: null, line: 1 }],
      ["Bruno Costa", { file: join(dir, "bruno-costa.yml"), index: null, line: 1 }],
      ["Chloé Martin", { file: join(dir, "chloe-martin.yaml"), index: null, line: 1 }],
      ["Dmitri Volkov", { file: join(dir, "dmitri-volkov.yaml"), index: null, line: 1 }],
    ]);
    expect(roster.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports the problems of every file at once, duplicates across files included", async () => {
    const dir = await newDirectory("many", {
      "a.yaml": "name: Alice\nemail: alice@example.com\n",
      "b.yaml": "name: Bob\ntitle: Engineer\n",
      "c.yaml": "# Carol\nname: Carol\nemail: ALICE@example.com\n",
      ".hidden.yaml": "not: a person\n",
    });
    const error = await rejectedAppError(loadRoster({ path: dir }));
    expect(error.code).toBe("invalid:roster");
    expect(error.message).toMatch(/2 problems in 2 files/);
    expect(error.details).toEqual([
      expect.objectContaining({ file: join(dir, "b.yaml"), entry: "Bob", path: "email", line: 1 }),
      expect.objectContaining({
        file: join(dir, "c.yaml"),
        entry: "Carol",
        path: "email",
        line: 3,
        column: 8,
        message: expect.stringContaining(`also used by Alice (${join(dir, "a.yaml")}:2)`),
      }),
    ]);
  });

  it("changes the digest when a file changes", async () => {
    const dir = await newDirectory("digest", { "a.yaml": "name: A\nemail: a@example.com\n" });
    const before = (await loadRoster({ path: dir })).sha256;
    await writeFile(join(dir, "a.yaml"), "name: A\nemail: a2@example.com\n");
    expect((await loadRoster({ path: dir })).sha256).not.toBe(before);
  });

  it("refuses a directory without YAML files", async () => {
    const dir = await newDirectory("empty", { "notes.txt": "nothing here" });
    const error = await rejectedAppError(loadRoster({ path: dir }));
    expect(error.code).toBe("invalid:roster");
    expect(error.details[0]).toMatchObject({ file: dir, message: expect.stringMatching(/no \*\.yaml/) });
  });
});

describe("loadRoster from GitLab", () => {
  const source = { gitlab: { project: "gitlab-com/support/team", path: "data/agents", ref: "main" } };

  it("needs a GitLab client", async () => {
    const error = await rejectedAppError(loadRoster(source));
    expect(error.code).toBe("invalid:config");
    expect(error.message).toMatch(/needs a GitLab client/);
  });

  it("reads a list file through readGitLabFile", async () => {
    const bytes = await readFile(join(GOOD, "support-team.yaml"));
    const readGitLabFile = vi.fn(async () => new Uint8Array(bytes));
    const roster = await loadRoster(
      { gitlab: { project: 42, path: "data/support-team.yaml", ref: "v1" } },
      { readGitLabFile },
    );
    expect(readGitLabFile).toHaveBeenCalledWith({
      project: 42,
      ref: "v1",
      path: "data/support-team.yaml",
      maxBytes: MAX_ROSTER_FILE_BYTES,
    });
    expect(roster.source).toBe("gitlab:42@v1:data/support-team.yaml");
    expect(roster.entries).toHaveLength(8);
    expect(roster.entries[1]?.location.file).toBe("gitlab:42@v1:data/support-team.yaml");
  });

  it("reads a directory through readGitLabTree, one person per YAML blob", async () => {
    const tree: GitLabTreeItem[] = [
      { path: "data/agents/zoe.yaml", type: "blob" },
      { path: "data/agents/archive", type: "tree" },
      { path: "data/agents/README.md", type: "blob" },
      { path: "data/agents/adam.yml", type: "blob" },
    ];
    const files: Record<string, string> = {
      "data/agents/zoe.yaml": "name: Zoe\nemail: zoe@example.com\n",
      "data/agents/adam.yml": "name: Adam\nemail: 42\n",
    };
    const error = await rejectedAppError(
      loadRoster(source, {
        readGitLabTree: async () => tree,
        readGitLabFile: async ({ path }) => new TextEncoder().encode(files[path] ?? ""),
      }),
    );
    expect(error.code).toBe("invalid:roster");
    expect(error.details).toEqual([
      expect.objectContaining({
        file: "gitlab:gitlab-com/support/team@main:data/agents/adam.yml",
        entry: "Adam",
        path: "email",
        line: 2,
      }),
    ]);
  });

  it("wraps a client failure that is not an AppError as upstream:gitlab", async () => {
    const error = await rejectedAppError(
      loadRoster(source, {
        readGitLabTree: async () => {
          throw new Error("socket hang up");
        },
        readGitLabFile: async () => new Uint8Array(),
      }),
    );
    expect(error.code).toBe("upstream:gitlab");
  });

  it("refuses a file larger than the cap even if the client returned it", async () => {
    const error = await rejectedAppError(
      loadRoster(
        { gitlab: { project: 1, path: "team.yml", ref: "main" } },
        { readGitLabFile: async () => new Uint8Array(MAX_ROSTER_FILE_BYTES + 1) },
      ),
    );
    expect(error.code).toBe("invalid:roster");
    expect(error.message).toMatch(/too large/);
  });
});
