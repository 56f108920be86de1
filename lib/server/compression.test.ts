import { describe, expect, it } from "vitest";
import { compressionOf } from "./compression";

describe("compressionOf (AUDIT_COMPRESSION)", () => {
  it("compresses unless told off, whatever the case or spacing", () => {
    expect(compressionOf(undefined)).toBe(true);
    expect(compressionOf("")).toBe(true);
    expect(compressionOf("on")).toBe(true);
    expect(compressionOf(" OFF ")).toBe(false);
  });

  it("refuses anything else rather than guessing", () => {
    expect(() => compressionOf("false")).toThrow(/AUDIT_COMPRESSION/);
    expect(() => compressionOf("0")).toThrow(/expected "on" or "off"/);
  });
});
