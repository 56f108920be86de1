import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./redirect";

const APP = "https://audit.example.com";

describe("safeRedirectPath", () => {
  it.each([
    // Paths on this site, normalised (the raw string is never echoed).
    ["/audits/FY27-Q3/findings?status=open#top", "/audits/FY27-Q3/findings?status=open#top"],
    ["audits", "/audits"],
    ["/audits/../people", "/people"],
    ["/audits/\u0416", "/audits/%D0%96"],
    ["/audits?q=\u00e9 x", "/audits?q=%C3%A9%20x"],
    ["/audits\u2028x", "/audits%E2%80%A8x"],
    ["/\u00ff\u0100\u{1F600}", "/%C3%BF%C4%80%F0%9F%98%80"],
    ["/audits\r\nSet-Cookie: x=1", "/auditsSet-Cookie:%20x=1"],
    // Same-origin absolute URLs become their path.
    [`${APP}/audits?x=1#y`, "/audits?x=1#y"],
    ["HTTPS://AUDIT.EXAMPLE.COM:443/audits", "/audits"],
    // A same-scheme URL without slashes is relative in a browser too: a path here.
    ["https:evil.test", "/evil.test"],
    // Everything that leaves the site, or is no web URL, goes to the overview.
    ["/\t/evil.test/phish", "/"],
    ["/%09/evil.test/phish", "/%09/evil.test/phish"],
    ["/\t\\evil.test", "/"],
    ["/\n/evil.test", "/"],
    ["/\r\n/evil.test", "/"],
    ["\t//evil.test", "/"],
    [" //evil.test", "/"],
    ["//evil.test", "/"],
    ["///evil.test", "/"],
    ["/\\evil.test", "/"],
    ["\\\\evil.test", "/"],
    ["\\/evil.test", "/"],
    ["/.//evil.test", "/"],
    ["/%2e//evil.test", "/"],
    ["/a/..//evil.test", "/"],
    ["https://evil.test/phish", "/"],
    ["http://audit.example.com/audits", "/"],
    ["https://audit.example.com:8443/audits", "/"],
    ["https://audit.example.com.evil.test/", "/"],
    ["https://user:pass@audit.example.com/", "/"],
    ["http:evil.test", "/"],
    ["javascript:alert(document.cookie)", "/"],
    ["JaVaScRiPt:alert(1)", "/"],
    ["java\tscript:alert(1)", "/"],
    ["data:text/html,<script>alert(1)</script>", "/"],
    ["http://[not a url", "/"],
    ["", "/"],
  ])("%j → %s", (target, expected) => {
    const path = safeRedirectPath(target, APP);
    expect(path).toBe(expected);
    // What a browser makes of it as a Location: this site, and a value a header can carry.
    expect(new URL(path, `${APP}/sign-in`).origin).toBe(APP);
    expect(() => new Headers({ location: path })).not.toThrow();
  });

  it("takes the first of repeated values, and the overview for none", () => {
    expect(safeRedirectPath(["/people", "//evil.test"], APP)).toBe("/people");
    expect(safeRedirectPath(["//evil.test", "/people"], APP)).toBe("/");
    expect(safeRedirectPath(undefined, APP)).toBe("/");
    expect(safeRedirectPath([], APP)).toBe("/");
  });

  it("without a configured origin follows only paths", () => {
    expect(safeRedirectPath("/audits?x=1", undefined)).toBe("/audits?x=1");
    expect(safeRedirectPath("//evil.test", undefined)).toBe("/");
    expect(safeRedirectPath("https://evil.test/", undefined)).toBe("/");
  });
});
