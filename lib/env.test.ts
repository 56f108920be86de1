import { describe, expect, it } from "vitest";
import { AppError, formatErrorDetails } from "@/lib/errors";
import { thrownAppError } from "@/lib/testing/errors";
import { isDemoMode, isLoopbackHost, readEnv, readListenHostname } from "./env";

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

  it("reads the Slack bot token and API base, both optional, blank as unset", () => {
    expect(readEnv({ SLACK_BOT_TOKEN: " xoxb-1 ", SLACK_API_URL: "http://127.0.0.1:4010/api/" })).toEqual({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_API_URL: "http://127.0.0.1:4010/api/",
      ...DEFAULTS,
    });
    expect(readEnv({ SLACK_BOT_TOKEN: "", SLACK_API_URL: " " })).toEqual(DEFAULTS);
    const error = thrownAppError(() =>
      readEnv({ SLACK_BOT_TOKEN: "xoxb-secret", SLACK_API_URL: "slack.com/api" }),
    );
    expect(error.details).toEqual([
      { path: "SLACK_API_URL", message: "expected an http(s) URL such as https://slack.com/api/" },
    ]);
    expect(formatErrorDetails(error)).not.toContain("xoxb-secret");
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

  it("reads AUDIT_ALLOWED_HOSTS as normalised host[:port] names", () => {
    expect(
      readEnv({ AUDIT_ALLOWED_HOSTS: " Audit.Corp.Example , 10.0.0.5:3000,,[::1]:3100 " }),
    ).toMatchObject({
      AUDIT_ALLOWED_HOSTS: ["audit.corp.example", "10.0.0.5:3000", "[::1]:3100"],
    });
  });

  it.each([
    ["AUDIT_ALLOWED_HOSTS", "https://audit.example.com"],
    ["AUDIT_ALLOWED_HOSTS", "audit.example.com/path"],
    ["AUDIT_ALLOWED_HOSTS", "user@audit.example.com"],
    ["AUDIT_ALLOWED_HOSTS", "audit example.com"],
    ["AUDIT_ALLOWED_HOSTS", "audit.example.com, audit^example"],
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

/** How scripts/demo.ts, the e2e servers and the Dockerfile start the server. */
const START = ["/usr/bin/node", "/app/node_modules/next/dist/bin/next", "start"];
const ON_LOOPBACK = [...START, "--port", "3100", "--hostname", "127.0.0.1"];
const ON_EVERY_INTERFACE = [...START, "--hostname", "0.0.0.0"];

describe("readListenHostname", () => {
  it.each([
    [ON_LOOPBACK, "127.0.0.1"],
    [ON_EVERY_INTERFACE, "0.0.0.0"],
    [[...START, "-H", "localhost"], "localhost"],
    [[...START, "-H::1"], "::1"],
    [[...START, "--hostname=LOCALHOST", "-p", "3000"], "localhost"],
    [[...START, "--hostname", "127.0.0.1", "--hostname", "0.0.0.0"], "0.0.0.0"],
    [["/usr/bin/node", "/app/node_modules/next/dist/bin/next", "dev", "-H", "127.0.0.1"], "127.0.0.1"],
    // Without --hostname, next start listens on every interface.
    [START, undefined],
    [[...START, "--hostname"], undefined],
    [["/usr/bin/node", "/app/server.js", "--hostname", "127.0.0.1"], undefined],
    [["/usr/bin/node", "/app/node_modules/vitest/vitest.mjs", "run"], undefined],
  ])("%j → %s", (argv, expected) => {
    expect(readListenHostname(argv)).toBe(expected);
    expect(readEnv({}, argv).listenHostname).toBe(expected);
  });

  it("is not read from the environment", () => {
    expect(
      readEnv({ listenHostname: "127.0.0.1", HOSTNAME: "127.0.0.1" }, START).listenHostname,
    ).toBeUndefined();
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST:3100", true],
    ["127.0.0.1", true],
    ["127.0.0.1:3100", true],
    ["[::1]:3100", true],
    ["::1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.0.2.10", false],
    ["192.0.2.10:3100", false],
    ["audit.example.com", false],
    ["127.0.0.1.nip.io:3100", false],
    ["localhost.evil.test", false],
    ["", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("demo mode", () => {
  const DEMO = { AUDIT_DEMO_SIGN_IN: "1" };
  it.each([
    // Listening on loopback only, with a loopback NEXTAUTH_URL (or none, outside production).
    [{ ...DEMO }, ON_LOOPBACK, true],
    [{ ...DEMO, NODE_ENV: "development" }, ON_LOOPBACK, true],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" }, ON_LOOPBACK, true],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://localhost:3000" }, ON_LOOPBACK, true],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://[::1]:3000" }, [...START, "-H", "::1"], true],
    // The Dockerfile's --hostname 0.0.0.0, or no --hostname: every interface, whatever NEXTAUTH_URL says.
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" }, ON_EVERY_INTERFACE, false],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" }, START, false],
    [{ ...DEMO, NODE_ENV: "development", NEXTAUTH_URL: "http://localhost:3000" }, ON_EVERY_INTERFACE, false],
    [{ ...DEMO }, START, false],
    [{ ...DEMO }, [], false],
    // A public NEXTAUTH_URL is a deployment, whatever NODE_ENV says.
    [{ ...DEMO, NODE_ENV: "development", NEXTAUTH_URL: "https://audit.example.com" }, ON_LOOPBACK, false],
    [{ ...DEMO, NODE_ENV: "test", NEXTAUTH_URL: "https://audit.example.com" }, ON_LOOPBACK, false],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "https://audit.example.com" }, ON_LOOPBACK, false],
    [{ ...DEMO, NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1.nip.io:3000" }, ON_LOOPBACK, false],
    [{ ...DEMO, NODE_ENV: "production" }, ON_LOOPBACK, false],
    [{ AUDIT_DEMO_SIGN_IN: "0" }, ON_LOOPBACK, false],
    [{}, ON_LOOPBACK, false],
  ])("%j started with %j → %s", (vars, argv, expected) => {
    expect(isDemoMode(readEnv(vars, argv))).toBe(expected);
  });
});
