/**
 * Test-only: the bad-input corpus of audit configs, and how to write a corpus case to disk. Each case is
 * a config a user could write and the problems loading it must report, in file order. The loader's tests
 * check every detail; the service's test checks that a run refuses each one and stores nothing.
 */
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MAX_CONFIG_FILE_BYTES } from "./parse";

/**
 * A file's content: a fixture (its name in the corpus's `fixtures/bad`, without `.yaml.txt`), text,
 * bytes, or just a size, written as a sparse file so a size cap can be passed without writing megabytes.
 */
export type CorpusContent = { fixture: string } | { text: string } | { bytes: Uint8Array } | { size: number };

/** One problem a case must report. */
export interface ExpectedDetail {
  /** Line of the problem; absent for problems of a whole file (too large) or directory. */
  line?: number;
  column?: number;
  entry?: string;
  path?: string;
  message: RegExp;
}

/** Writes one corpus file; fixtures are read from `fixtures`. */
export async function writeCorpusFile(file: string, content: CorpusContent, fixtures: string): Promise<void> {
  if ("fixture" in content) {
    await writeFile(file, await readFile(join(fixtures, `${content.fixture}.yaml.txt`)));
  } else if ("text" in content) {
    await writeFile(file, content.text);
  } else if ("bytes" in content) {
    await writeFile(file, content.bytes);
  } else {
    await writeFile(file, "");
    await truncate(file, content.size);
  }
}

/** Names of the fixtures a corpus uses, to check that no fixture file is left without a case. */
export function corpusFixtures(contents: readonly CorpusContent[]): string[] {
  return contents.flatMap((content) => ("fixture" in content ? [content.fixture] : []));
}

export const CONFIG_FIXTURES = join(import.meta.dirname, "fixtures", "bad");

export const CONFIG_CATEGORIES = [
  "syntax",
  "wrong-type",
  "missing-field",
  "unknown-key",
  "invalid-value",
  "duplicate",
  "huge",
  "alias-bomb",
  "non-utf8",
  "shape",
] as const;
export type ConfigCategory = (typeof CONFIG_CATEGORIES)[number];

export interface ConfigCorpusCase {
  name: string;
  category: ConfigCategory;
  content: CorpusContent;
  details: ExpectedDetail[];
}

const fixture = (name: string, category: ConfigCategory, details: ExpectedDetail[]): ConfigCorpusCase => ({
  name,
  category,
  content: { fixture: name },
  details,
});

const ALIAS_LEVELS = 30;

/** A billion-laughs config far past any cap: 9^30 copies if it were ever built. */
function deepAliasBomb(): string {
  let text = 'roster: { path: team.yaml }\nlol0: &l0 "lol"\n';
  for (let level = 1; level <= ALIAS_LEVELS; level += 1) {
    text += `lol${level}: &l${level} [${Array.from({ length: 9 }, () => `*l${level - 1}`).join(", ")}]\n`;
  }
  return text;
}

export const CONFIG_CORPUS: readonly ConfigCorpusCase[] = [
  fixture("tab-indentation", "syntax", [{ line: 5, column: 1, message: /tab/ }]),
  fixture("syntax-unclosed-bracket", "syntax", [
    { line: 7, column: 5, message: /the "\[" on line 6 may not be closed/ },
  ]),
  fixture("multiple-documents", "syntax", [{ line: 9, column: 1, message: /more than one YAML document/ }]),
  fixture("requests-per-minute-text", "wrong-type", [
    { line: 4, path: "pagerduty.requests_per_minute", message: /expected a number, got the text "fast"/ },
  ]),
  fixture("schedules-not-a-list", "wrong-type", [
    {
      line: 6,
      column: 16,
      path: "rotations[0].schedules",
      message: /expected a list, got the text "PSCHE01"/,
    },
  ]),
  fixture("exempt-titles-text", "wrong-type", [
    { line: 4, column: 11, path: "exempt.titles", message: /expected a list, got the text "VP of Support"/ },
  ]),
  fixture("members-is-a-list", "wrong-type", [
    { line: 7, column: 14, path: "rotations[0].members", message: /exactly one of `field`.*got a list/ },
  ]),
  fixture("top-level-list", "shape", [
    { line: 1, message: /expected a mapping with roster and rotations, got a list/ },
  ]),
  fixture("empty-file", "shape", [{ line: 1, message: /empty/ }]),
  fixture("no-rotations", "missing-field", [
    { line: 3, column: 12, path: "rotations", message: /at least one rotation/ },
  ]),
  fixture("missing-rotations", "missing-field", [{ line: 1, path: "rotations", message: /is required/ }]),
  fixture("gitlab-without-path", "missing-field", [
    { line: 2, path: "roster.gitlab.path", message: /is required/ },
  ]),
  fixture("roster-without-source", "missing-field", [
    { line: 1, column: 9, path: "roster", message: /either `path`.*or `gitlab`/ },
  ]),
  fixture("unknown-top-level-key", "unknown-key", [
    {
      line: 3,
      column: 1,
      path: "exempt_titles",
      message: /unknown key `exempt_titles`; allowed here: roster, pagerduty/,
    },
  ]),
  fixture("misspelled-rotations", "unknown-key", [
    { line: 1, path: "rotations", message: /is required/ },
    { line: 3, path: "rotatons", message: /did you mean `rotations`/ },
  ]),
  fixture("unknown-rotation-key", "unknown-key", [
    { line: 4, path: "rotations[0].schedules", message: /is required/ },
    { line: 6, column: 5, path: "rotations[0].schedule", message: /did you mean `schedules`/ },
  ]),
  fixture("members-field-and-where", "unknown-key", [
    {
      line: 7,
      path: "rotations[0].members",
      message: /exactly one of `field`.*or `where`.*found keys: field, where/,
    },
  ]),
  fixture("bad-schedule-id", "invalid-value", [
    {
      line: 6,
      column: 26,
      path: "rotations[0].schedules[1]",
      message: /PagerDuty schedule ID looks like PBLAHV7, got the text "https:/,
    },
  ]),
  fixture("url-without-scheme", "invalid-value", [
    { line: 4, column: 8, path: "pagerduty.url", message: /http\(s\) URL/ },
  ]),
  fixture("url-ftp", "invalid-value", [{ line: 4, path: "pagerduty.url", message: /http\(s\) URL.*"ftp:/ }]),
  fixture("field-empty-segment", "invalid-value", [
    { line: 8, path: "rotations[0].members.field", message: /"pagerduty\.\.rotations" has an empty segment/ },
  ]),
  fixture("where-empty-title", "invalid-value", [
    { line: 9, path: "rotations[0].members.where.title", message: /must not be empty/ },
  ]),
  fixture("rotation-id-with-space", "invalid-value", [
    { line: 4, path: "rotations[0].id", message: /got the text "amer west"/ },
  ]),
  fixture("duplicate-rotation-ids", "duplicate", [
    {
      line: 9,
      column: 9,
      path: "rotations[1].id",
      message: /"AMER-West" is already used by rotations\[0\] \(line 4\)/,
    },
  ]),
  fixture("duplicate-schedule", "duplicate", [
    {
      line: 9,
      path: "rotations[0].schedules[2]",
      message: /PSCHW01 is listed twice \(also schedules\[0\]\)/,
    },
  ]),
  fixture("duplicate-key", "duplicate", [
    { line: 8, column: 1, message: /the key "roster" appears twice in this mapping/ },
  ]),
  fixture("alias-bomb", "alias-bomb", [{ line: 6, column: 17, message: /too many aliases.*billion laughs/ }]),
  {
    name: "alias-bomb-30-levels",
    category: "alias-bomb",
    content: { text: deepAliasBomb() },
    details: [{ line: 5, column: 22, message: /too many aliases/ }],
  },
  {
    name: "huge-file",
    category: "huge",
    content: { size: MAX_CONFIG_FILE_BYTES + 1 },
    details: [{ message: /the file is 1\.0 MiB; at most 1\.0 MiB is read/ }],
  },
  {
    name: "latin1",
    category: "non-utf8",
    content: { bytes: Buffer.from("roster: { path: x }\nrotations:\n  - name: Caf\xe9\n", "latin1") },
    details: [{ line: 3, column: 14, message: /byte 0xE9 is not valid UTF-8/ }],
  },
  {
    name: "utf16",
    category: "non-utf8",
    content: { bytes: Buffer.from("\uFEFFroster: { path: x }\n", "utf16le") },
    details: [{ line: 1, column: 1, message: /UTF-16/ }],
  },
];
