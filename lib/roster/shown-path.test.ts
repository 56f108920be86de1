import { describe, expect, it } from "vitest";
import { shownPath } from "./shown-path";

describe("shownPath", () => {
  it("shows a file under the working directory relative to it", () => {
    expect(shownPath("/srv/audit/data/e2e/scenario/support-team.yaml", "/srv/audit")).toBe(
      "data/e2e/scenario/support-team.yaml",
    );
  });

  it("keeps a file elsewhere, a relative name and the directory itself as they are", () => {
    expect(shownPath("/etc/audit/team.yaml", "/srv/audit")).toBe("/etc/audit/team.yaml");
    expect(shownPath("team.yaml", "/srv/audit")).toBe("team.yaml");
    expect(shownPath("/srv/audit", "/srv/audit")).toBe("/srv/audit");
    expect(shownPath("/srv/auditor/team.yaml", "/srv/audit")).toBe("/srv/auditor/team.yaml");
  });
});
