import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StringIndex } from "./string-index";

describe("StringIndex", () => {
  it("answers as a Map would, past the size it was made for and with keys set again", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 40 }),
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat({ max: 200 })), { maxLength: 300 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 50 }),
        (expected, sets, probes) => {
          const index = new StringIndex(expected);
          const map = new Map<string, number>();
          for (const [key, value] of sets) {
            index.set(key, value);
            map.set(key, value);
          }
          expect(index.size).toBe(map.size);
          for (const key of [...map.keys(), ...probes]) expect(index.get(key)).toBe(map.get(key) ?? -1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("tells apart keys that differ only far into them, and many keys of one length", () => {
    const index = new StringIndex(0);
    const keys = Array.from({ length: 5000 }, (_, i) => `user-${String(i).padStart(6, "0")}@example.com`);
    keys.forEach((key, i) => index.set(key, i));
    expect(index.size).toBe(keys.length);
    keys.forEach((key, i) => expect(index.get(key)).toBe(i));
    expect(index.get("user-005000@example.com")).toBe(-1);
    expect(index.get("")).toBe(-1);
  });
});
