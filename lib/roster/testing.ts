/**
 * Test-only: the bad-input corpus of rosters. Each case is a roster a user could write, as one list file
 * or as a directory of one-person files, and the problems loading it for the example config
 * (`lib/config/fixtures/good/audit.config.example.yaml`: rotations amer-west … apac, exempt VP of
 * Support) must report, in file order. The loader's tests check every detail; the service's test checks
 * that a run refuses each one and stores nothing.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeCorpusFile, type CorpusContent, type ExpectedDetail } from "@/lib/config/testing";
import { MAX_ROSTER_FILE_BYTES } from "./parse";

export const ROSTER_FIXTURES = join(import.meta.dirname, "fixtures", "bad");

export const ROSTER_CATEGORIES = [
  "syntax",
  "wrong-type",
  "missing-field",
  "shape",
  "duplicate",
  "huge",
  "alias-bomb",
  "unsafe-yaml",
  "non-utf8",
  "missing-manager",
  "unknown-rotation",
] as const;
export type RosterCategory = (typeof ROSTER_CATEGORIES)[number];

export interface RosterExpectedDetail extends ExpectedDetail {
  /** The case's file the problem is in; `.` for the roster directory itself. */
  file: string;
}

export interface RosterCorpusCase {
  name: string;
  category: RosterCategory;
  /** `file`: one list of people (`support-team.yaml`); `directory`: one person per file. */
  layout: "file" | "directory";
  /** The roster's files by name; a `file` case has exactly one. */
  files: Record<string, CorpusContent>;
  details: RosterExpectedDetail[];
}

/** Writes a case under `dir` (created) and returns the path to put in `roster.path`. */
export async function writeRosterCase(dir: string, corpusCase: RosterCorpusCase): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(corpusCase.files)) {
    await writeCorpusFile(join(dir, name), content, ROSTER_FIXTURES);
  }
  const [only] = Object.keys(corpusCase.files);
  return corpusCase.layout === "file" && only !== undefined ? join(dir, only) : dir;
}

/** A list-file case from fixtures/bad; its file is named after the case. */
const listFixture = (
  name: string,
  category: RosterCategory,
  details: Omit<RosterExpectedDetail, "file">[],
): RosterCorpusCase => ({
  name,
  category,
  layout: "file",
  files: { [`${name}.yaml`]: { fixture: name } },
  details: details.map((d) => ({ file: `${name}.yaml`, ...d })),
});

/** A directory case holding one fixture of fixtures/bad as its only person file. */
const personFixture = (
  name: string,
  category: RosterCategory,
  details: Omit<RosterExpectedDetail, "file">[],
): RosterCorpusCase => ({
  name,
  category,
  layout: "directory",
  files: { [`${name}.yaml`]: { fixture: name } },
  details: details.map((d) => ({ file: `${name}.yaml`, ...d })),
});

const ALICE = "name: Alice Nakamura\nemail: anakamura@example.com\npagerduty:\n  rotations: [amer-west]\n";

/** A billion-laughs roster far past any cap: 9^30 copies of "lol" if it were ever built. */
function deepAliasBomb(): string {
  let text = '- name: &l0 "lol"\n  email: lol@example.com\n';
  for (let level = 1; level <= 30; level += 1) {
    text += `  lol${level}: &l${level} [${Array.from({ length: 9 }, () => `*l${level - 1}`).join(", ")}]\n`;
  }
  return text;
}

export const ROSTER_CORPUS: readonly RosterCorpusCase[] = [
  // --- One list file ------------------------------------------------------------------------------
  listFixture("syntax-bad-indentation", "syntax", [{ line: 3, column: 2, message: /bad indentation/ }]),
  listFixture("syntax-unclosed-flow-list", "syntax", [
    { line: 6, message: /the "\[" on line 5 may not be closed/ },
  ]),
  listFixture("tab-indentation", "syntax", [{ line: 2, message: /indented with a tab/ }]),
  listFixture("multiple-documents", "syntax", [{ line: 4, message: /more than one YAML document/ }]),
  {
    // A quoted value continued at column 0 is read (as libyaml reads it); one never closed is not.
    name: "unclosed-quote",
    category: "syntax",
    layout: "file",
    files: { "team.yaml": { text: "- name: Ada\n  email: ada@example.com\n  story: 'Keen on\ntools.\n" } },
    details: [
      { file: "team.yaml", line: 4, column: 1, message: /the quote opened on line 3 is never closed/ },
    ],
  },
  listFixture("top-level-mapping", "shape", [
    { line: 2, column: 1, message: /expected a list of people, got a mapping/ },
  ]),
  listFixture("top-level-scalar", "shape", [
    { line: 1, message: /expected a list of people, got the text "Alice Nakamura, Bruno Costa"/ },
  ]),
  listFixture("empty-file", "shape", [{ line: 1, message: /empty; expected a list of people/ }]),
  listFixture("empty-list", "shape", [{ line: 2, message: /list of people is empty/ }]),
  listFixture("entry-is-text", "shape", [
    { line: 3, column: 3, entry: "#1", message: /expected a person .* got the text "Bruno Costa/ },
  ]),
  listFixture("entry-is-empty", "shape", [
    { line: 3, column: 1, entry: "#1", message: /expected a person .* got nothing/ },
  ]),
  listFixture("entry-without-name", "missing-field", [
    { line: 3, column: 3, entry: "#1", path: "name", message: /is required/ },
  ]),
  listFixture("entry-without-email", "missing-field", [
    { line: 3, entry: "Bruno Costa", path: "email", message: /is required/ },
  ]),
  listFixture("entry-empty-name", "missing-field", [
    { line: 1, column: 9, entry: "#0", path: "name", message: /must not be empty/ },
  ]),
  listFixture("email-not-an-address", "wrong-type", [
    { line: 2, column: 10, entry: "Alice Nakamura", path: "email", message: /not an address/ },
  ]),
  listFixture("pagerduty-as-string", "wrong-type", [
    {
      line: 3,
      column: 14,
      entry: "Alice Nakamura",
      path: "pagerduty",
      message: /expected a mapping, got the text "PABC123"/,
    },
  ]),
  listFixture("gitlab-username-number", "wrong-type", [
    {
      line: 5,
      entry: "Alice Nakamura",
      path: "gitlab.username",
      message: /expected text, got the number 12345/,
    },
  ]),
  listFixture("focuses-not-a-list", "wrong-type", [
    { line: 3, entry: "Alice Nakamura", path: "focuses", message: /expected a list/ },
  ]),
  listFixture("focus-percentage-text", "wrong-type", [
    {
      line: 5,
      entry: "Alice Nakamura",
      path: "focuses[0].percentage",
      message: /expected a number, got the text "60%"/,
    },
  ]),
  listFixture("name-is-a-list", "wrong-type", [
    { line: 1, entry: "#0", path: "name", message: /expected text, got a list/ },
  ]),
  listFixture("wrong-type-rotations", "wrong-type", [
    {
      line: 7,
      column: 9,
      entry: "Alice Nakamura",
      path: "pagerduty.rotations[1]",
      message: /rotation "\{"id":"emea"\}" is not defined in the audit config/,
    },
  ]),
  listFixture("many-problems", "wrong-type", [
    { line: 3, entry: "Alice Nakamura", path: "pagerduty", message: /expected a mapping/ },
    { line: 7, entry: "Bruno Costa", path: "gitlab.username", message: /expected text/ },
    { line: 8, entry: "#2", path: "name", message: /is required/ },
    { line: 11, entry: "Chloé Martin", path: "start_date", message: /expected a date/ },
    { line: 13, entry: "Dmitri Volkov", path: "email", message: /also used by Bruno Costa/ },
  ]),
  listFixture("duplicate-key", "duplicate", [
    { line: 4, column: 3, message: /the key "email" appears twice/ },
  ]),
  listFixture("duplicate-emails-different-case", "duplicate", [
    {
      line: 6,
      entry: "Alicia Nakamura",
      path: "email",
      message:
        /ANakamura@Example\.com is also used by Alice Nakamura \(.*duplicate-emails-different-case\.yaml:2\)/,
    },
  ]),
  listFixture("alias-bomb", "alias-bomb", [
    { line: 6, column: 21, message: /too many aliases.*billion laughs/ },
  ]),
  {
    name: "alias-bomb-30-levels",
    category: "alias-bomb",
    layout: "file",
    files: { "team.yaml": { text: deepAliasBomb() } },
    details: [{ file: "team.yaml", line: 5, column: 24, message: /too many aliases/ }],
  },
  listFixture("recursive-alias", "alias-bomb", [{ line: 4, message: /cycle/ }]),
  listFixture("unsupported-tag", "unsafe-yaml", [{ line: 3, message: /only plain YAML/ }]),
  listFixture("too-deep", "unsafe-yaml", [{ line: 3, message: /nesting is too deep/ }]),
  listFixture("proto-key", "unsafe-yaml", [{ line: 3, column: 3, message: /__proto__/ }]),
  listFixture("non-utf8-latin1", "non-utf8", [
    { line: 3, column: 13, message: /byte 0xE9 is not valid UTF-8/ },
  ]),
  {
    name: "utf16",
    category: "non-utf8",
    layout: "file",
    files: { "team.yaml": { bytes: Buffer.from("\uFEFF- name: A\n  email: a@example.com\n", "utf16le") } },
    details: [{ file: "team.yaml", line: 1, column: 1, message: /UTF-16/ }],
  },
  {
    name: "huge-file",
    category: "huge",
    layout: "file",
    files: { "team.yaml": { size: MAX_ROSTER_FILE_BYTES + 1 } },
    details: [{ file: "team.yaml", message: /the file is 5\.0 MiB; at most 5\.0 MiB is read/ }],
  },
  listFixture("missing-manager", "missing-manager", [
    {
      line: 8,
      column: 15,
      entry: "Alice Nakamura",
      path: "reports_to",
      message:
        /manager "Priya Ramen" is not in the roster \(did you mean "Priya Raman"\?\); only an exempt title/,
    },
    {
      line: 12,
      column: 15,
      entry: "Bruno Costa",
      path: "reports_to",
      message: /manager "Sam Former" is not in the roster; only an exempt title \(VP of Support/,
    },
  ]),
  listFixture("unknown-rotation-id", "unknown-rotation", [
    {
      line: 10,
      column: 17,
      entry: "Bruno Costa",
      path: "pagerduty.rotations[0]",
      message: /rotation "amer-centrl" is not defined in the audit config \(did you mean "amer-central"\?\)/,
    },
  ]),

  // --- A directory of one-person files --------------------------------------------------------------
  {
    name: "dir-syntax-error",
    category: "syntax",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "bruno-costa.yaml": {
        text: "name: Bruno Costa\nemail: bcosta@example.com\npagerduty:\n  id: PB2C3D4\n rotations: [amer-central]\n",
      },
    },
    details: [{ file: "bruno-costa.yaml", line: 5, column: 2, message: /bad indentation/ }],
  },
  {
    // libyaml refuses a plain (unquoted) value continued at column 0 too.
    name: "dir-plain-value-at-column-0",
    category: "syntax",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "bruno-costa.yaml": { text: "name: Bruno Costa\nemail: bcosta@example.com\nstory: Keen on\ntools.\n" },
    },
    details: [{ file: "bruno-costa.yaml", line: 5, message: /a multiline key may not be an implicit key/ }],
  },
  personFixture("person-holds-a-list", "shape", [
    { line: 1, message: /expected one person \(a mapping\), got a list.*set roster\.path to this file/ },
  ]),
  personFixture("person-is-text", "shape", [
    { line: 1, message: /expected one person \(a mapping\), got the text "Alice Nakamura"/ },
  ]),
  {
    name: "dir-without-yaml-files",
    category: "shape",
    layout: "directory",
    files: { "README.txt": { text: "The roster moved to data/agents.\n" } },
    details: [{ file: ".", message: /the directory holds no \*\.yaml or \*\.yml files/ }],
  },
  personFixture("person-without-email", "missing-field", [
    { line: 1, entry: "Alice Nakamura", path: "email", message: /is required/ },
  ]),
  {
    name: "dir-wrong-type",
    category: "wrong-type",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "bruno-costa.yaml": { text: "name: Bruno Costa\nemail: bcosta@example.com\npagerduty: PB2C3D4\n" },
    },
    details: [
      {
        file: "bruno-costa.yaml",
        line: 3,
        column: 12,
        entry: "Bruno Costa",
        path: "pagerduty",
        message: /expected a mapping, got the text "PB2C3D4"/,
      },
    ],
  },
  {
    name: "dir-duplicate-email-across-files",
    category: "duplicate",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "alicia-nakamura.yaml": { text: "# Alicia\nname: Alicia Nakamura\nemail: ANakamura@Example.com\n" },
    },
    details: [
      {
        file: "alicia-nakamura.yaml",
        line: 3,
        column: 8,
        entry: "Alicia Nakamura",
        path: "email",
        message: /ANakamura@Example\.com is also used by Alice Nakamura \(.*alice-nakamura\.yaml:2\)/,
      },
    ],
  },
  {
    name: "dir-alias-bomb",
    category: "alias-bomb",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "lol.yaml": {
        text:
          'name: &a "lol"\nemail: lol@example.com\n' +
          "lol1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
          "lol2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
          "lol3: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
      },
    },
    details: [{ file: "lol.yaml", line: 5, column: 19, message: /too many aliases.*billion laughs/ }],
  },
  {
    name: "dir-latin1-file",
    category: "non-utf8",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "chloe-martin.yaml": {
        bytes: Buffer.from("name: Chlo\xe9 Martin\nemail: cmartin@example.com\n", "latin1"),
      },
    },
    details: [{ file: "chloe-martin.yaml", line: 1, column: 11, message: /byte 0xE9 is not valid UTF-8/ }],
  },
  {
    name: "dir-huge-file",
    category: "huge",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: ALICE },
      "everyone.yaml": { size: MAX_ROSTER_FILE_BYTES + 1 },
    },
    details: [{ file: "everyone.yaml", message: /the file is 5\.0 MiB; at most 5\.0 MiB is read/ }],
  },
  {
    name: "dir-missing-manager",
    category: "missing-manager",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": { text: `${ALICE}reports_to: Priya Ramen\n` },
      "ines-duarte.yaml": {
        text: "name: Ines Duarte\nemail: iduarte@example.com\ntitle: VP of Support\nreports_to: Chief Customer Officer\n",
      },
      "priya-raman.yaml": {
        text: "name: Priya Raman\nemail: praman@example.com\ntitle: Support Manager\nreports_to: Ines Duarte\n",
      },
    },
    details: [
      {
        file: "alice-nakamura.yaml",
        line: 5,
        column: 13,
        entry: "Alice Nakamura",
        path: "reports_to",
        message: /manager "Priya Ramen" is not in the roster \(did you mean "Priya Raman"\?\)/,
      },
    ],
  },
  {
    name: "dir-unknown-rotation",
    category: "unknown-rotation",
    layout: "directory",
    files: {
      "alice-nakamura.yaml": {
        text: "name: Alice Nakamura\nemail: anakamura@example.com\npagerduty:\n  rotations:\n    - amer-west\n    - amer-wset\n",
      },
    },
    details: [
      {
        file: "alice-nakamura.yaml",
        line: 6,
        column: 7,
        entry: "Alice Nakamura",
        path: "pagerduty.rotations[1]",
        message: /rotation "amer-wset" is not defined in the audit config \(did you mean "amer-west"\?\)/,
      },
    ],
  },
];
