import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { closestMatch } from "./issues";
import { createPositionFinder, decodeUtf8, findInvalidUtf8, formatPath, parseYaml } from "./yaml";

const SUBJECT = { code: "invalid:roster", label: "roster file" } as const;

describe("findInvalidUtf8", () => {
  it.each([
    ["ASCII", [0x61, 0x62], -1],
    ["two-byte é", [0x63, 0xc3, 0xa9], -1],
    ["four-byte emoji", [0xf0, 0x9f, 0x98, 0x80], -1],
    ["Latin-1 é", [0x63, 0xe9, 0x0a], 1],
    ["truncated sequence", [0x61, 0xe2, 0x82], 1],
    ["overlong encoding of /", [0xc0, 0xaf], 0],
    ["UTF-16 surrogate", [0xed, 0xa0, 0x80], 0],
    ["lone continuation byte", [0x61, 0x80], 1],
    ["beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
  ])("%s", (_name, bytes, index) => {
    expect(findInvalidUtf8(Uint8Array.from(bytes))).toBe(index);
  });
});

describe("decodeUtf8", () => {
  it("drops a byte order mark", () => {
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), "f", SUBJECT)).toBe("a");
  });

  it("counts the column of a bad byte in characters", () => {
    const bytes = Uint8Array.from([...Buffer.from("a: 1\nb: ñé"), 0xff]);
    try {
      decodeUtf8(bytes, "f.yaml", SUBJECT);
      throw new Error("expected an AppError");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details[0]).toMatchObject({ file: "f.yaml", line: 2, column: 6 });
    }
  });
});

describe("positions", () => {
  it("are 1-based lines and code-point columns", () => {
    const find = createPositionFinder("ab\n😀x\n");
    expect(find(0)).toEqual({ line: 1, column: 1 });
    expect(find(3)).toEqual({ line: 2, column: 1 });
    expect(find(5)).toEqual({ line: 2, column: 2 });
    expect(find(7)).toEqual({ line: 3, column: 1 });
  });

  it("count a lone surrogate, and the half of a pair an offset splits, as one column each", () => {
    const text = "a\uD800b😀😀c";
    const find = createPositionFinder(text);
    for (let offset = 0; offset <= text.length; offset += 1)
      expect(find(offset).column).toBe(Array.from(text.slice(0, offset)).length + 1);
    expect(find(5)).toEqual({ line: 1, column: 5 });
  });

  it("locate a value, its key, and fall back to the nearest ancestor", () => {
    const doc = parseYaml("a:\n  b: 'x'\n  c:\n    - 1\n    - &n 2\n  d:\n    e: 1\n", "f.yaml", SUBJECT);
    expect(doc.locate(["a", "b"])).toEqual({ line: 2, column: 6 });
    expect(doc.locateKey(["a", "b"])).toEqual({ line: 2, column: 3 });
    expect(doc.locate(["a", "c", 1])).toEqual({ line: 5, column: 7 });
    expect(doc.locate(["a", "d"])).toEqual({ line: 6, column: 3 });
    // A missing key points at the mapping that lacks it, here by its key since the mapping starts below.
    expect(doc.locate(["a", "d", "missing"])).toEqual({ line: 6, column: 3 });
    expect(doc.locate(["a", "d", "e"])).toEqual({ line: 7, column: 8 });
  });
});

describe("formatPath", () => {
  it.each([
    [["rotations", 2, "schedules", 0], "rotations[2].schedules[0]"],
    [["pagerduty", "id"], "pagerduty.id"],
    [["where", "a.b"], 'where["a.b"]'],
    [[0], "[0]"],
    [[], ""],
  ])("%j → %s", (path, text) => expect(formatPath(path)).toBe(text));
});

describe("closestMatch", () => {
  it.each([
    ["rotatons", ["roster", "rotations"], "rotations"],
    ["Schedule", ["schedules", "members"], "schedules"],
    ["exempt_titles", ["roster", "exempt"], null],
    ["x", ["y"], "y"],
    ["zzz", [], null],
  ])("%s", (word, candidates, match) => expect(closestMatch(word, candidates)).toBe(match));
});
