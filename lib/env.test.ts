import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { isDemoMode, readEnv } from "./env";

describe("readEnv", () => {
  const DEFAULTS = {
    GITLAB_URL: "https://gitlab.com",
    AUDIT_CONFIG: "audit.config.yaml",
    AUDIT_DATA_DIR: "./data",
  };

  it("returns a frozen object with only the known variables and the defaults", () => {
    const env = readEnv({ PD_TOKEN: " abc ", PATH: "/bin", NODE_ENV: "test" });
    expect(env).toEqual({ PD_TOKEN: "abc", NODE_ENV: "test", ...DEFAULTS });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("treats blank variables as unset, so defaults apply", () => {
    expect(
      readEnv({
        PD_TOKEN: "",
        GL_TOKEN: "  ",
        PAGERDUTY_API_URL: "",
        GITLAB_URL: " ",
        AUDIT_CONFIG: "",
        AUDIT_DEMO_SIGN_IN: "",
        AUDIT_MAX_WAIVER_MONTHS: " ",
      }),
    ).toEqual(DEFAULTS);
  });

  it("reads the dashboard's sign-in and storage settings", () => {
    expect(
      readEnv({
        NEXTAUTH_SECRET: "s3cr3t",
        NEXTAUTH_URL: "https://audit.example.com",
        GITLAB_URL: "https://gitlab.example.com",
        GITLAB_CLIENT_ID: "app-id",
        GITLAB_CLIENT_SECRET: "app-secret",
        AUDIT_DEMO_SIGN_IN: "1",
        AUDIT_CONFIG: "config/audit.yaml",
        AUDIT_DATA_DIR: "/var/lib/audit",
        AUDIT_MAX_WAIVER_MONTHS: " 6 ",
      }),
    ).toEqual({
      NEXTAUTH_SECRET: "s3cr3t",
      NEXTAUTH_URL: "https://audit.example.com",
      GITLAB_URL: "https://gitlab.example.com",
      GITLAB_CLIENT_ID: "app-id",
      GITLAB_CLIENT_SECRET: "app-secret",
      AUDIT_DEMO_SIGN_IN: "1",
      AUDIT_CONFIG: "config/audit.yaml",
      AUDIT_DATA_DIR: "/var/lib/audit",
      AUDIT_MAX_WAIVER_MONTHS: 6,
    });
  });

  it.each([
    ["PAGERDUTY_API_URL", "localhost:4010"],
    ["PAGERDUTY_API_URL", "ftp://example.com"],
    ["DATABASE_URL", "not a url s3cr3t"],
    ["NODE_ENV", "staging"],
    ["NEXTAUTH_URL", "dashboard.internal"],
    ["GITLAB_URL", "git.corp.internal"],
    ["AUDIT_DEMO_SIGN_IN", "true"],
    ["AUDIT_MAX_WAIVER_MONTHS", "-1"],
    ["AUDIT_MAX_WAIVER_MONTHS", "0.5"],
    ["AUDIT_MAX_WAIVER_MONTHS", "121"],
    ["AUDIT_MAX_WAIVER_MONTHS", "a year"],
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

describe("demo mode", () => {
  it.each([
    [{ AUDIT_DEMO_SIGN_IN: "1" }, true],
    [{ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "development" }, true],
    [{ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production" }, false],
    [{ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production", NEXTAUTH_URL: "https://audit.example.com" }, false],
    [{ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" }, true],
    [{ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production", NEXTAUTH_URL: "http://localhost:3000" }, true],
    [
      { AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1.nip.io:3000" },
      false,
    ],
    [{ AUDIT_DEMO_SIGN_IN: "0" }, false],
    [{}, false],
  ])("%j → %s", (vars, expected) => {
    expect(isDemoMode(readEnv(vars))).toBe(expected);
  });
});
