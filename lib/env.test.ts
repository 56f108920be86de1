import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { readEnv } from "./env";

describe("readEnv", () => {
  it("returns a frozen object with only the known variables", () => {
    const env = readEnv({ PD_TOKEN: " abc ", PATH: "/bin", NODE_ENV: "test" });
    expect(env).toEqual({ PD_TOKEN: "abc", NODE_ENV: "test" });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("treats blank variables as unset", () => {
    expect(readEnv({ PD_TOKEN: "", GL_TOKEN: "  ", PAGERDUTY_API_URL: "" })).toEqual({});
  });

  it.each([
    ["PAGERDUTY_API_URL", "localhost:4010"],
    ["PAGERDUTY_API_URL", "ftp://example.com"],
    ["DATABASE_URL", "not a url s3cr3t"],
    ["NODE_ENV", "staging"],
  ])("refuses %s=%s without echoing the value", (name, value) => {
    try {
      readEnv({ [name]: value });
      throw new Error("expected an AppError");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe("invalid:environment");
      expect(appError.message).toContain(name);
      expect(appError.details).toEqual([expect.objectContaining({ path: name })]);
      expect(JSON.stringify({ message: appError.message, details: appError.details })).not.toContain(value);
    }
  });
});
