import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "@/lib/auth/roles";
import { homeLinksFor, landingPathFor } from "./paths";

describe("where each role lands", () => {
  it.each<[Role, string | null, string[]]>([
    ["member", "/me", ["Your findings"]],
    ["manager", "/team", ["Your team", "Your findings"]],
    ["ops", null, ["Overview"]],
    ["ops_manager", null, ["Overview"]],
  ])("%s lands on %s, and the navigation starts with %j", (role, landing, labels) => {
    expect(landingPathFor(role)).toBe(landing);
    expect(homeLinksFor(role).map((link) => link.label)).toEqual(labels);
  });

  it("every role is decided, and lands where its navigation's first link goes", () => {
    for (const role of ROLES) {
      expect(landingPathFor(role) ?? "/").toBe(homeLinksFor(role)[0]?.href);
    }
  });
});
