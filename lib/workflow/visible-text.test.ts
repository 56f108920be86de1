import { describe, expect, it } from "vitest";
import { JUSTIFICATION_MAX_LENGTH, JUSTIFICATION_MIN_LENGTH } from "./types";
import { visibleLength, writtenTextProblem } from "./visible-text";

const ZWSP = "\u200b";

describe("visibleLength", () => {
  // [text, characters a reader sees]
  it.each([
    ["", 0],
    ["1234567890", 10],
    ["  12345678 9  ", 10],
    [ZWSP.repeat(10), 0],
    ["\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202e\u2066\u2069", 0],
    ["a\u200bb\u200bc", 3],
    ["a   \n\n\t  b", 3],
    ["a\u00a0\u2003\u3000\u202fb", 3],
    ["\u3164\u115f\u2800\u034f", 0],
    ["e\u0301".repeat(5), 5],
    ["\u0301".repeat(10), 1],
    ["🙂".repeat(10), 10],
    ["👩‍👩‍👧".repeat(3), 3],
    ["Covers AMER East.", 17],
  ])("%j → %i", (text, length) => {
    expect(visibleLength(text)).toBe(length);
  });
});

describe("writtenTextProblem", () => {
  const bounds = { min: JUSTIFICATION_MIN_LENGTH, max: JUSTIFICATION_MAX_LENGTH };
  it.each([
    ["", { problem: "missing", length: 0 }],
    [ZWSP.repeat(10), { problem: "missing", length: 0 }],
    [`${"x".repeat(9)}${ZWSP}`, { problem: "too_short", length: 9 }],
    [`x${" ".repeat(10)}y`, { problem: "too_short", length: 3 }],
    ["x".repeat(10), null],
    [` ${"x".repeat(2000)} `, null],
    ["x".repeat(2001), { problem: "too_long", length: 2001 }],
    // A long reason padded past the limit with invisible characters is still too long to store.
    [`${"x".repeat(20)}${ZWSP.repeat(1990)}`, { problem: "too_long", length: 2010 }],
  ])("%j", (text, expected) => {
    expect(writtenTextProblem(text, bounds)).toEqual(expected);
  });
});
