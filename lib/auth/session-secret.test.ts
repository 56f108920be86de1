import { describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { thrownAppError } from "@/lib/testing/errors";
import { MIN_SESSION_SECRET_LENGTH, checkSessionSecret } from "./session-secret";

const LONG = "k".repeat(MIN_SESSION_SECRET_LENGTH);
const SHORT = "tooshort-s3cr3t";
const GITLAB = { GITLAB_CLIENT_ID: "app-id", GITLAB_CLIENT_SECRET: "app-secret" };
const PUBLIC = { ...GITLAB, NODE_ENV: "production", NEXTAUTH_URL: "https://audit.example.com" };
const DEMO_BUILD = { AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" };

describe("checkSessionSecret", () => {
  it.each([
    ["a production deployment", PUBLIC],
    ["a development server with GitLab sign-in", { ...GITLAB, NODE_ENV: "development" }],
    ["the demo's production build on loopback (next-auth needs it there too)", DEMO_BUILD],
    [
      "the demo sign-in asked of a development server (it is refused there anyway)",
      { AUDIT_DEMO_SIGN_IN: "1" },
    ],
  ])("refuses a missing secret: %s", (_name, vars) => {
    const error = thrownAppError(() => checkSessionSecret(readEnv(vars)));
    expect(error.code).toBe("invalid:environment");
    expect(error.message).toMatch(/^NEXTAUTH_SECRET is not set/);
    expect(error.message).toContain("openssl rand -base64 32");
  });

  it.each([
    ["a production deployment", PUBLIC],
    ["the demo", DEMO_BUILD],
  ])("refuses a secret shorter than the minimum without echoing it: %s", (_name, vars) => {
    const error = thrownAppError(() => checkSessionSecret(readEnv({ ...vars, NEXTAUTH_SECRET: SHORT })));
    expect(error.code).toBe("invalid:environment");
    expect(error.message).toContain(`at least ${MIN_SESSION_SECRET_LENGTH} characters`);
    expect(error.message).not.toContain(SHORT);
  });

  it.each([
    ["a production deployment", { ...PUBLIC, NEXTAUTH_SECRET: LONG }],
    ["the demo and e2e build, given its random secret", { ...DEMO_BUILD, NEXTAUTH_SECRET: LONG }],
  ])("accepts %s", (_name, vars) => {
    expect(() => checkSessionSecret(readEnv(vars))).not.toThrow();
  });
});
