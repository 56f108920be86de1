import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseAuditConfig } from "@/lib/config/parse";
import type { AuditConfig } from "@/lib/config/schema";
import { corpusFixtures } from "@/lib/config/testing";
import { rejectedAppError } from "@/lib/testing/errors";
import { loadRoster, loadRosterForConfig, type GitLabTreeItem } from "./load";
import { MAX_ROSTER_FILE_BYTES } from "./parse";
import {
  ROSTER_CATEGORIES,
  ROSTER_CORPUS,
  ROSTER_FIXTURES,
  writeRosterCase,
  type RosterCorpusCase,
} from "./testing";

const BAD = join(import.meta.dirname, "fixtures", "bad");
const GOOD = join(import.meta.dirname, "fixtures", "good");
const EXAMPLE_CONFIG = join(
  import.meta.dirname,
  "..",
  "config",
  "fixtures",
  "good",
  "audit.config.example.yaml",
);

let scratch: string;
let config: AuditConfig;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "roster-load-"));
  config = parseAuditConfig(await readFile(EXAMPLE_CONFIG, "utf8"), EXAMPLE_CONFIG);
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

/** Problems only the config can reveal: the roster alone is well-formed. */
const CONFIG_ONLY = new Set(["missing-manager", "unknown-rotation"]);
const needsConfig = (c: RosterCorpusCase) => CONFIG_ONLY.has(c.category) || c.name === "wrong-type-rotations";

describe("roster bad-input corpus", () => {
  it("covers every category in both layouts, and every fixture file", async () => {
    expect(ROSTER_CORPUS.length).toBeGreaterThanOrEqual(46);
    expect(new Set(ROSTER_CORPUS.map((c) => c.name)).size).toBe(ROSTER_CORPUS.length);
    for (const category of ROSTER_CATEGORIES) {
      const layouts = new Set(ROSTER_CORPUS.filter((c) => c.category === category).map((c) => c.layout));
      const wanted = category === "unsafe-yaml" ? ["file"] : ["directory", "file"];
      expect([category, [...layouts].sort()]).toEqual([category, wanted]);
    }
    const used = corpusFixtures(ROSTER_CORPUS.flatMap((c) => Object.values(c.files)));
    const files = (await readdir(ROSTER_FIXTURES)).map((f) => f.replace(/\.yaml\.txt$/, ""));
    // bom-is-fine is the one fixture that must load (see below).
    expect([...used, "bom-is-fine"].sort()).toEqual(files.sort());
  });

  it.each(ROSTER_CORPUS.map((c) => [c.name, c] as const))("%s", async (name, corpusCase) => {
    const dir = join(scratch, "corpus", name);
    const path = await writeRosterCase(dir, corpusCase);
    const fileOf = (file: string) => (file === "." ? dir : join(dir, file));
    const started = performance.now();
    const error = await rejectedAppError(loadRosterForConfig({ ...config, roster: { path } }));
    // A guard against runaway parsing, not a speed target: generous enough for a loaded machine.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe("invalid:roster");
    const files = [...new Set(corpusCase.details.map((d) => fileOf(d.file)))];
    const first = corpusCase.details[0];
    // The summary line names the file and the first problem's line: a failed run shows nothing else.
    if (files.length === 1) expect(error.message).toContain(files[0]);
    // An empty file has no line worth pointing at.
    if (first?.line !== undefined && !error.message.endsWith(" is empty.")) {
      expect(error.message).toContain(`line ${first.line})`);
    }
    expect(error.details).toHaveLength(corpusCase.details.length);
    corpusCase.details.forEach((want, i) => {
      const got = error.details[i];
      expect(got?.file).toBe(fileOf(want.file));
      expect(got?.line).toBe(want.line);
      if (want.column !== undefined) expect(got?.column).toBe(want.column);
      expect(got?.entry).toBe(want.entry);
      expect(got?.path).toBe(want.path);
      expect(got?.message).toMatch(want.message);
    });
  });

  it.each(ROSTER_CORPUS.filter(needsConfig).map((c) => [c.name, c] as const))(
    "%s loads without the config: only the config shows the problem",
    async (name, corpusCase) => {
      const path = await writeRosterCase(join(scratch, "alone", name), corpusCase);
      expect((await loadRoster({ path })).entries.length).toBeGreaterThan(0);
    },
  );

  it("counts lines after a byte order mark as the editor shows them", async () => {
    const roster = await loadRoster({ path: join(BAD, "bom-is-fine.yaml.txt") });
    expect(roster.entries.map((e) => [e.person.name, e.location.line])).toEqual([
      ["Alice Nakamura", 1],
      ["Bruno Costa", 3],
    ]);
  });

  it("refuses a billion-laughs roster quickly, without building it", async () => {
    const bomb = ROSTER_CORPUS.find((c) => c.name === "alias-bomb-30-levels");
    if (!bomb) throw new Error("the corpus lost its alias bomb");
    const path = await writeRosterCase(join(scratch, "bomb"), bomb);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await expect(loadRosterForConfig({ ...config, roster: { path } })).rejects.toMatchObject({
      code: "invalid:roster",
    });
    // Building 9^30 strings would never end; refusing first takes milliseconds, even on a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    // 9^30 strings would never fit; a refusal before building costs next to nothing.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("loadRosterForConfig", () => {
  it("loads the sample team, whose rotations and managers match the example config", async () => {
    const roster = await loadRosterForConfig({
      ...config,
      roster: { path: join(GOOD, "support-team.yaml") },
    });
    expect(roster.entries).toHaveLength(8);
  });

  it("does not blame reports for a manager whose own file cannot be read", async () => {
    const dir = await newDirectory("broken-manager", {
      "alice.yaml": "name: Alice\nemail: alice@example.com\nreports_to: Priya\n",
      "priya.yaml": "name: Priya\nemail: [priya@example.com\n",
    });
    const error = await rejectedAppError(loadRosterForConfig({ ...config, roster: { path: dir } }));
    expect(error.details.map((d) => d.file)).toEqual([join(dir, "priya.yaml")]);
  });

  it("takes a manager's name ignoring case and runs of spaces", async () => {
    const dir = await newDirectory("manager-spacing", {
      "alice.yaml": "name: Alice\nemail: alice@example.com\nreports_to: ' priya   RAMAN'\n",
      "priya.yaml": "name: Priya Raman\nemail: priya@example.com\n",
    });
    const roster = await loadRosterForConfig({ ...config, roster: { path: dir } });
    expect(roster.entries).toHaveLength(2);
  });

  it("holds a GitLab roster to the config too", async () => {
    const files: Record<string, string> = {
      "data/agents/zoe.yaml":
        "name: Zoe\nemail: zoe@example.com\npagerduty: { rotations: [emea, amer-eats] }\n",
    };
    const error = await rejectedAppError(
      loadRosterForConfig(
        { ...config, roster: { gitlab: { project: 7, path: "data/agents", ref: "main" } } },
        {
          readGitLabTree: async () => [{ path: "data/agents/zoe.yaml", type: "blob" }],
          readGitLabFile: async ({ path }) => new TextEncoder().encode(files[path] ?? ""),
        },
      ),
    );
    expect(error.details).toEqual([
      expect.objectContaining({
        file: "gitlab:7@main:data/agents/zoe.yaml",
        path: "pagerduty.rotations[1]",
        line: 3,
        message: expect.stringContaining(
          '"amer-eats" is not defined in the audit config (did you mean "amer-east"?)',
        ),
      }),
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
    expect(error.message).toBe(
      `The roster has 2 problems in 2 files (first in ${join(dir, "b.yaml")} at line 1).`,
    );
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

  it("refuses two people whose names differ only by case and spacing, naming both files and lines", async () => {
    const dir = await newDirectory("two-marcuses", {
      "marcus-oyelaran.yaml": "name: Marcus Oyelaran\nemail: marcus@example.com\ntitle: Support Manager\n",
      "marcus-o.yaml": "# joined in May\nname: marcus  OYELARAN\nemail: marcus.o@example.com\n",
    });
    const error = await rejectedAppError(loadRoster({ path: dir }));
    expect(error.code).toBe("invalid:roster");
    expect(error.details).toEqual([
      expect.objectContaining({
        file: join(dir, "marcus-oyelaran.yaml"),
        entry: "Marcus Oyelaran",
        path: "name",
        line: 1,
        message: expect.stringContaining(`also used by marcus  OYELARAN (${join(dir, "marcus-o.yaml")}:2)`),
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

describe("loadRoster with values written as Ruby tooling writes them", () => {
  const LENIENT =
    "---\n# Grace\nname: Grace Hopper\nemail: grace@example.com\nstory: 'Wrote the first\ncompiler.\n'\n";

  it("reads them from a directory (as sign-in does) and returns a warning for each, in file order", async () => {
    const dir = await newDirectory("lenient", {
      "ada.yaml": 'name: Ada Lovelace\nemail: ada@example.com\nstory: "Wrote\nthe first program."\n',
      "grace.yaml": LENIENT,
      "linus.yaml": "---\nname: Linus\nemail: linus@example.com\nregion: ''\n",
    });
    const roster = await loadRoster({ path: dir });
    expect(roster.entries.map((e) => [e.person.name, e.person.story, e.person.region])).toEqual([
      ["Ada Lovelace", "Wrote the first program.", undefined],
      ["Grace Hopper", "Wrote the first compiler. ", undefined],
      ["Linus", undefined, undefined],
    ]);
    expect(roster.warnings?.map((w) => [w.file, w.line, w.column, w.entry, w.path])).toEqual([
      [join(dir, "ada.yaml"), 3, 8, "Ada Lovelace", "story"],
      [join(dir, "grace.yaml"), 5, 8, "Grace Hopper", "story"],
    ]);
    expect(roster.warnings?.[0]?.message).toMatch(/^a quoted value continues on lines that are not indented/);
  });

  it("reads them from a list file held to the config, and has no warnings for a tidy roster", async () => {
    const file = join(scratch, "lenient-team.yaml");
    await writeFile(
      file,
      "- name: Grace Hopper\n  email: grace@example.com\n  title: 'Rear\nAdmiral'\n  pagerduty:\n    rotations: [amer-west]\n",
    );
    const roster = await loadRosterForConfig({ ...config, roster: { path: file } });
    expect(roster.entries[0]?.person.title).toBe("Rear Admiral");
    expect(roster.warnings?.map((w) => [w.line, w.entry, w.path])).toEqual([[3, "Grace Hopper", "title"]]);
    expect((await loadRoster({ path: join(GOOD, "agents") })).warnings).toEqual([]);
  });
});
