import { describe, expect, it } from "vitest";
import { buildHeaderRules, buildSecurityHeaders } from "./security-headers";

/** The policy's directives by name, e.g. `{ "frame-ancestors": ["'none'"] }`. */
function directivesOf(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

function headerValue(name: string, development = false): string | undefined {
  return buildSecurityHeaders({ development }).find((h) => h.key.toLowerCase() === name.toLowerCase())?.value;
}

describe("security headers", () => {
  it.each([
    ["X-Frame-Options", "DENY"],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ])("sends %s: %s", (name, value) => {
    expect(headerValue(name)).toBe(value);
  });

  it("forbids framing, plugins and a foreign <base> in the Content-Security-Policy", () => {
    const csp = directivesOf(headerValue("Content-Security-Policy") ?? "");
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'self'"]);
    expect(csp["default-src"]).toEqual(["'self'"]);
    expect(csp["form-action"]).toEqual(["'self'"]);
  });

  it("allows eval only to the development server", () => {
    const production = directivesOf(headerValue("Content-Security-Policy") ?? "");
    const development = directivesOf(headerValue("Content-Security-Policy", true) ?? "");
    expect(production["script-src"]).not.toContain("'unsafe-eval'");
    expect(development["script-src"]).toContain("'unsafe-eval'");
  });

  it("applies to every path, pages and API alike", () => {
    const rules = buildHeaderRules({ development: false });
    expect(rules).toEqual([{ source: "/:path*", headers: buildSecurityHeaders({ development: false }) }]);
  });
});
