import { describe, expect, it, vi } from "vitest";
import { AppError, formatErrorDetails, statusForError } from "./errors";

describe("AppError", () => {
  it("is recognised across copies of the module, as Next's separate bundles make", async () => {
    vi.resetModules();
    const copy = await import("./errors");
    expect(copy.AppError).not.toBe(AppError);
    const error = new copy.AppError("not_found:pagerduty", "gone");
    expect(error instanceof AppError).toBe(true);
    expect(new Error("plain") instanceof AppError).toBe(false);
    expect(statusForError(error)).toBe(404);
  });

  it.each([
    ["invalid:roster", 400],
    ["unauthorized:session", 401],
    ["forbidden:role", 403],
    ["conflict:run", 409],
    ["upstream:pagerduty", 502],
  ] as const)("maps %s to %i", (code, status) => {
    expect(statusForError(new AppError(code, "x"))).toBe(status);
  });

  it("lists details with file, line and entry", () => {
    const error = new AppError("invalid:roster", "The roster has 1 problem.", {
      details: [
        { file: "team.yaml", line: 3, column: 5, entry: "Ada", path: "email", message: "is required" },
      ],
    });
    expect(formatErrorDetails(error)).toBe(
      "The roster has 1 problem.\n  team.yaml:3:5: Ada › email: is required",
    );
  });
});
