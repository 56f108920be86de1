import { describe, expect, it } from "vitest";
import { checkRosterPerson, readRosterList } from "./parse";

/**
 * The roster as people's tools accept it. Rosters are kept by people and by Ruby tooling, whose YAML
 * (libyaml) reads a quoted value whose continuation lines start at column 0; so does the audit, with a
 * warning. Each expected value is what libyaml 0.2.5 gives for the same text (checked through PyYAML's
 * C loader), so the audit reads a roster as the tooling that writes it does.
 */

const HEAD = "name: Ada Lovelace\nemail: ada@example.com\n";
const WARNING =
  /^a quoted value continues on lines that are not indented \(from line (\d+)\); it is read as Ruby's YAML \(libyaml\) reads it/;

interface Tolerated {
  name: string;
  /** The person's file after HEAD (so its first line is line 3). */
  body: string;
  /** Path of the value checked and what it must be. */
  path: string[];
  value: unknown;
  /** One per leniently read value: where its opening quote is and the first line not indented. */
  warnings: { line: number; column: number; path: string; from: number }[];
}

const TOLERATED: Tolerated[] = [
  {
    name: "single-quoted, continued at column 0, closing quote alone on the last line",
    body: "story: 'Enjoys crafting tools.\nHe is also keen on open source.\n'\n",
    path: ["story"],
    value: "Enjoys crafting tools. He is also keen on open source. ",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "double-quoted, continued at column 0",
    body: 'story: "Enjoys crafting tools.\nHe is also keen on open source."\n',
    path: ["story"],
    value: "Enjoys crafting tools. He is also keen on open source.",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "empty lines are paragraph breaks",
    body: "story: 'First paragraph,\nstill the first.\n\nSecond paragraph.\n\n\nThird.'\n",
    path: ["story"],
    value: "First paragraph, still the first.\nSecond paragraph.\n\nThird.",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "spaces around continuation lines are trimmed, an empty line of spaces is a break",
    body: "story: 'Line one   \n   line two  \nline three\n   \nend'\n",
    path: ["story"],
    value: "Line one line two line three\nend",
    warnings: [{ line: 3, column: 8, path: "story", from: 5 }],
  },
  {
    name: "'' is a quote in single-quoted text",
    body: "story: 'It''s Ada''s\nfavourite ''tool''.'\n",
    path: ["story"],
    value: "It's Ada's favourite 'tool'.",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: 'escapes in double-quoted text: \\" \\\\ \\t and an escaped line break',
    body: 'story: "Says \\"hi\\"\nand \\\\o/\\tthen \\\nmore"\n',
    path: ["story"],
    value: 'Says "hi" and \\o/\tthen more',
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "a line holding only the closing quote",
    body: 'story: "Text\n"\nregion: EMEA\n',
    path: ["story"],
    value: "Text ",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "a sequence item continued at column 0",
    body: "languages:\n- 'English,\nSpanish'\n- French\n",
    path: ["languages"],
    value: ["English, Spanish", "French"],
    warnings: [{ line: 4, column: 3, path: "languages[0]", from: 5 }],
  },
  {
    name: "a # on a continuation line is text, and a comment may follow the closing quote",
    body: "story: 'Ranked\n#1 in tools' # from the 2023 survey\n",
    path: ["story"],
    value: "Ranked #1 in tools",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "a tab starting a continuation line",
    body: "story: 'one\n\ttwo'\n",
    path: ["story"],
    value: "one two",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "Windows line ends",
    body: "story: 'one\r\ntwo\r\n'\r\n",
    path: ["story"],
    value: "one two ",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "in a nested mapping, continued at the mapping's own column",
    body: "slack:\n  bio: 'one\n  two'\n  username: ada\n",
    path: ["slack"],
    value: { bio: "one two", username: "ada" },
    warnings: [{ line: 4, column: 8, path: "slack.bio", from: 5 }],
  },
  {
    name: "two values in one file",
    body: "story: 'one\ntwo'\nhobbies: \"three\nfour\"\n",
    path: ["hobbies"],
    value: "three four",
    warnings: [
      { line: 3, column: 8, path: "story", from: 4 },
      { line: 5, column: 10, path: "hobbies", from: 6 },
    ],
  },
  {
    name: "leading and trailing spaces inside the quotes on the first and last line are kept",
    body: "story: '  one  \ntwo  '\n",
    path: ["story"],
    value: "  one two  ",
    warnings: [{ line: 3, column: 8, path: "story", from: 4 }],
  },
  {
    name: "a plain value's continuation line that starts with a quote is not a quoted value",
    body: "title: Lead - 'Platform\n  tools' team\nstory: 'one\ntwo'\n",
    path: ["title"],
    value: "Lead - 'Platform tools' team",
    warnings: [{ line: 5, column: 8, path: "story", from: 6 }],
  },
  {
    name: "a flow list's quoted value continued at column 0",
    body: "languages: ['English,\nSpanish', French]\n",
    path: ["languages"],
    value: ["English, Spanish", "French"],
    warnings: [{ line: 3, column: 13, path: "languages[0]", from: 4 }],
  },
];

describe("quoted values continued at column 0 (tolerated, as libyaml reads them)", () => {
  it.each(TOLERATED)("$name", ({ body, path, value, warnings }) => {
    const checked = checkRosterPerson(HEAD + body, "agents/ada.yaml");
    expect(checked.details).toEqual([]);
    let actual: unknown = checked.entry?.person;
    for (const key of path) actual = (actual as Record<string, unknown>)[key];
    expect(actual).toEqual(value);
    expect(
      checked.warnings.map((w) => ({
        file: w.file,
        entry: w.entry,
        line: w.line,
        column: w.column,
        path: w.path,
        from: Number(WARNING.exec(w.message)?.[1]),
      })),
    ).toEqual(warnings.map((w) => ({ file: "agents/ada.yaml", entry: "Ada Lovelace", ...w })));
  });

  it("keeps the lines and columns of every later problem", () => {
    const text =
      HEAD +
      "story: 'Enjoys crafting tools.\nHe is also keen on open source.\n'\n" +
      "focuses: [{ name: 'Support\nops', percentage: 60% }]\n" +
      "pagerduty: PADA1\n";
    expect(checkRosterPerson(text, "agents/ada.yaml").details).toEqual([
      {
        file: "agents/ada.yaml",
        entry: "Ada Lovelace",
        path: "pagerduty",
        line: 8,
        column: 12,
        message: 'expected a mapping, got the text "PADA1"',
      },
      {
        file: "agents/ada.yaml",
        entry: "Ada Lovelace",
        path: "focuses[0].percentage",
        line: 7,
        column: 19,
        message: 'expected a number, got the text "60%"',
      },
    ]);
  });

  it("names the entry of a list file, with the line of each value", () => {
    const text =
      "- name: Ada Lovelace\n  email: ada@example.com\n  story: 'one\ntwo'\n" +
      '- name: Grace Hopper\n  email: grace@example.com\n  story: "three\nfour"\n';
    const { entries, warnings } = readRosterList(text, "team.yaml");
    expect(entries.map((e) => [e.person.story, e.location.line])).toEqual([
      ["one two", 1],
      ["three four", 5],
    ]);
    expect(warnings.map((w) => [w.entry, w.path, w.line, w.column])).toEqual([
      ["Ada Lovelace", "story", 3, 10],
      ["Grace Hopper", "story", 7, 10],
    ]);
  });

  it("reads a file with `---` at the top and comments, with no warning when nothing is lenient", () => {
    const text = `---\n# Ada's file; keep it short\n${HEAD}# Where she works\nregion: EMEA # AMER-W before 2024\n`;
    const checked = checkRosterPerson(text, "agents/ada.yaml");
    expect(checked.entry?.person).toMatchObject({ name: "Ada Lovelace", region: "EMEA" });
    expect(checked.warnings).toEqual([]);
  });

  it("reads `---`, comments and a lenient value together", () => {
    const text = `---\n# Ada\n${HEAD}story: 'one\ntwo' # short\n`;
    const checked = checkRosterPerson(text, "agents/ada.yaml");
    expect(checked.entry?.person.story).toBe("one two");
    expect(checked.warnings.map((w) => [w.line, w.column])).toEqual([[5, 8]]);
  });
});

describe("broken YAML stays an error", () => {
  it.each([
    {
      name: "an unclosed quote to the end of the file",
      body: "story: 'Enjoys crafting tools.\nregion: EMEA\n",
      detail: {
        line: 4,
        column: 1,
        message: "deficient indentation (the quote opened on line 3 is never closed)",
      },
    },
    {
      name: "a plain (unquoted) value continued at column 0, which libyaml refuses too",
      body: "story: Enjoys crafting tools.\nHe is also keen on open source.\nregion: EMEA\n",
      detail: {
        line: 5,
        column: 7,
        message: "can not read a block mapping entry; a multiline key may not be an implicit key",
      },
    },
    {
      name: "tabs as indentation",
      body: "slack:\n\tusername: ada\n",
      detail: { line: 4, column: 1, message: "tab characters must not be used in indentation" },
    },
    {
      name: "a document marker inside a quoted value (libyaml: unexpected document indicator)",
      body: "story: 'one\n---\ntwo'\n",
      detail: { line: 4, column: 1, message: "deficient indentation" },
    },
    {
      name: "text after the closing quote",
      body: "story: 'one\ntwo' three\n",
      detail: { line: 4, column: 6, message: "bad indentation of a mapping entry" },
    },
  ])("$name", ({ body, detail }) => {
    const checked = checkRosterPerson(HEAD + body, "agents/ada.yaml");
    expect(checked.entry).toBeNull();
    expect(checked.details).toEqual([{ file: "agents/ada.yaml", ...detail }]);
    expect(checked.warnings).toEqual([]);
  });
});
