import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderByText } from "./text-order";

/** The order a comparator sort gives: by code units, equal texts by position. */
function modelOrder(texts: readonly string[]): number[] {
  return texts
    .map((text, position) => ({ text, position }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.position - b.position))
    .map(({ position }) => position);
}

describe("orderByText", () => {
  it.each([
    { name: "nothing", texts: [] },
    { name: "PagerDuty IDs", texts: ["PSFJZJS", "P5ZUK3Z", "PSE7HWS", "PA3ERXO"] },
    {
      name: "a text before the longer texts it starts",
      texts: ["PABCDEFG", "PABCDEF", "PABCDE", "PABCDEFGA"],
    },
    { name: "equal texts, by position", texts: ["b", "a", "b", "a"] },
    { name: "NUL sorts after the end of a text", texts: ["a\u0000", "a", "a\u0000\u0000"] },
    {
      name: "past ASCII, and DEL beside it",
      texts: ["a\u00e9z", "a\u007fz", "a\u00e9a", "a\u007f\u00ff", "\u4e00", "z"],
    },
    { name: "surrogate pairs by code unit", texts: ["\ud83d\ude00", "\uffff", "\ud7ff"] },
  ])("orders $name as a comparator sort does", ({ texts }) => {
    expect(Array.from(orderByText(texts))).toEqual(modelOrder(texts));
  });

  it("orders any texts as a comparator sort does", () => {
    // Few characters, so that prefixes tie often; full Unicode code units as well.
    const text = fc.oneof(
      fc.string({
        unit: fc.constantFrom("P", "A", "0", "\u0000", "\u007f", "\u0080", "\u00e9"),
        maxLength: 9,
      }),
      fc.string({ unit: "binary", maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 300 }), (texts) => {
        expect(Array.from(orderByText(texts))).toEqual(modelOrder(texts));
      }),
      { numRuns: 500 },
    );
  });

  it("orders texts alike in their first characters (a long run of ties)", () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `PABCDEFGH${(i * 7919) % 2000}`);
    expect(Array.from(orderByText(texts))).toEqual(modelOrder(texts));
  });
});
