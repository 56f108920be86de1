import fc from "fast-check";
import { CORE_SCHEMA, YAMLException, constructFromEvents } from "js-yaml";
import type * as JsYaml from "js-yaml";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TolerantParseFailure, parseEventsTolerantly, type TolerantParse } from "./lenient-quotes";

// Counts js-yaml's parses, to hold the quick guess to a few of them on a large file.
const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock("js-yaml", async (importOriginal) => {
  const original = await importOriginal<typeof JsYaml>();
  return {
    ...original,
    parseEvents: (...args: Parameters<typeof original.parseEvents>) => {
      parses.count += 1;
      return original.parseEvents(...args);
    },
  };
});
beforeEach(() => {
  parses.count = 0;
});

const OPTIONS = { filename: "f.yaml", maxDepth: 64 };

/**
 * What a parse means: the value, and each lenient value's opening quote and first shallow line; or the
 * error and where it is in the original text.
 */
function outcome(parse: () => TolerantParse): unknown {
  let parsed: TolerantParse;
  try {
    parsed = parse();
  } catch (error) {
    if (error instanceof TolerantParseFailure) return { error: error.error.reason, at: error.offset };
    throw error;
  }
  try {
    const [value] = constructFromEvents(parsed.events, {
      source: parsed.text,
      filename: "f.yaml",
      schema: CORE_SCHEMA,
      json: false,
      maxAliases: 20,
    });
    const scalars = parsed.scalars.map((s) => [
      parsed.toOriginal(s.open),
      parsed.toOriginal(s.firstShallowLine),
    ]);
    return { value, scalars };
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    return { error: error.reason, at: error.mark ? parsed.toOriginal(error.mark.position) : null };
  }
}

describe("parseEventsTolerantly", () => {
  // Documents of quoted values continued at column 0, with the traps around them: apostrophes in plain
  // values and comments, plain values continued on a line starting with a quote, block scalars, flow
  // lists, escapes, document markers, and now and then a quote left open.
  const word = fc.constantFrom(
    "x",
    "it''s",
    "it's",
    "#1",
    "- item",
    "k: v",
    "",
    "   ",
    '\\"',
    "\\",
    "'",
    '"',
    "---",
    "\t y",
  );
  const lines = fc.array(word, { minLength: 1, maxLength: 4 });
  const entry = fc.oneof(
    lines.map((ls) => `'${ls.map((l) => l.replaceAll("'", "''")).join("\n")}'`),
    lines.map((ls) => `'${ls.join("\n")}'`),
    lines.map((ls) => `"${ls.map((l) => l.replaceAll('"', '\\"')).join("\n")}"`),
    lines.map((ls) => `"${ls.join("\n")}"`),
    lines.map((ls) => `'${ls.join("\n")}\n'`),
    fc.constant("it's plain # it's"),
    fc.constant("plain\n    'continued"),
    fc.constant("|\n  it's\n  'x\n"),
    lines.map((ls) => `[a, '${ls.join("\n")}']`),
    lines.map((ls) => `\n- '${ls.join("\n")}'\n- b`),
  );
  const yamlish = fc
    .array(entry, { minLength: 1, maxLength: 5 })
    .map((entries) => entries.map((value, i) => `k${i}: ${value}\n`).join(""));

  it("reads the same with the quick guess as one error at a time", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const guessed = outcome(() => parseEventsTolerantly(text, OPTIONS, true));
        const exact = outcome(() => parseEventsTolerantly(text, OPTIONS, true, false));
        expect(guessed).toEqual(exact);
      }),
      { numRuns: 1500 },
    );
  });

  it("changes nothing that js-yaml reads as it is", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const strict = outcome(() => parseEventsTolerantly(text, OPTIONS, false));
        if ("value" in (strict as object)) {
          expect(outcome(() => parseEventsTolerantly(text, OPTIONS, true))).toEqual(strict);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("says what is wrong with a broken list without one parse per lenient value before it", () => {
    let text = "";
    for (let i = 0; i < 300; i += 1) {
      text += `- name: Person ${i}\n  story: ${i % 10 === 0 ? "'Enjoys tools.\nKeen on open source.\n'" : "'Short.'"}\n`;
    }
    for (const [tail, reason] of [
      ["- name: X\n  story: 'never closed\nregion: x\n", "deficient indentation"],
      ["- name: X\n\tregion: x\n", "end of the stream or a document separator is expected"],
    ] as const) {
      parses.count = 0;
      const failure = outcome(() => parseEventsTolerantly(text + tail, OPTIONS, true));
      expect(failure).toMatchObject({ error: reason });
      expect(parses.count).toBeLessThanOrEqual(6);
      expect(outcome(() => parseEventsTolerantly(text + tail, OPTIONS, true, false))).toEqual(failure);
    }
  });

  it("reads values continued at column 0 in one parse, without refusing the text as it is first", () => {
    let text = "";
    for (let i = 0; i < 300; i += 1) {
      text += `- name: Person ${i}\n  story: ${i % 10 === 3 ? "'Enjoys tools.\nKeen on open source.\n'" : "'Short.'"}\n`;
    }
    const parsed = parseEventsTolerantly(text, OPTIONS, true);
    expect(parses.count).toBe(1);
    expect(parsed.scalars).toHaveLength(30);
    expect(outcome(() => parseEventsTolerantly(text, OPTIONS, true))).toEqual(
      outcome(() => parseEventsTolerantly(text, OPTIONS, true, false)),
    );
  });

  it("parses a text js-yaml reads once, as it is, even with quoted values continued less indented", () => {
    const text = "- name: A\n  story: 'Enjoys tools.\n    Keen on open source.'\n";
    const parsed = parseEventsTolerantly(text, OPTIONS, true);
    expect(parses.count).toBe(1);
    expect(parsed.text).toBe(text);
    expect(parsed.scalars).toEqual([]);
  });

  it("reads a large list with many lenient values in one pass, not one parse per value", () => {
    let text = "";
    for (let i = 0; i < 1500; i += 1) {
      text += `- name: Person ${i}\n  email: p${i}@example.com\n  note: it's plain\n    'and continued\n`;
      text += i % 10 === 0 ? `  story: 'Enjoys tools.\nKeen on open source.\n'\n` : `  story: 'Short.'\n`;
    }
    const parsed = parseEventsTolerantly(text, OPTIONS, true);
    expect(parsed.scalars).toHaveLength(150);
    // The exact way parses the text about three times for each value (450 here); the guess: the strict
    // parse, one with the plain continuation lines taken for quotes, and one more.
    expect(parses.count).toBeLessThanOrEqual(4);
  });
});
