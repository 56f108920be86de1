import { describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { refuseUnknownHost } from "./host-check";

const PRODUCTION = readEnv({ NODE_ENV: "production", NEXTAUTH_URL: "https://audit.example.com" });

function request(path: string, headers: Record<string, string>): Request {
  // Next builds the URL on the address it listens on, whatever Host says.
  return new Request(`http://localhost:3000${path}`, { headers });
}

describe("refuseUnknownHost", () => {
  it.each([
    [{ host: "audit.example.com" }],
    [{ host: "AUDIT.example.com" }],
    [{ host: "audit.example.com:443" }],
    [{ host: "audit.example.com", "x-forwarded-host": "audit.example.com" }],
  ])("lets through a request to the public host: %j", (headers) => {
    expect(refuseUnknownHost(request("/", headers), PRODUCTION)).toBeNull();
    expect(refuseUnknownHost(request("/api/audits", headers), PRODUCTION)).toBeNull();
  });

  it.each([
    // DNS rebinding: a page on evil.test whose name now resolves to the server.
    [{ host: "evil.test" }],
    [{ host: "evil.test:3000" }],
    [{ host: "192.0.2.10" }],
    [{ host: "localhost:3000" }],
    [{ host: "audit.example.com:8443" }],
    [{ host: "audit.example.com.evil.test" }],
    // Every name a request carries must be the dashboard's.
    [{ host: "evil.test", "x-forwarded-host": "audit.example.com" }],
    [{ host: "audit.example.com", "x-forwarded-host": "evil.test" }],
    [{ host: "audit.example.com", "x-forwarded-host": "audit.example.com, evil.test" }],
  ])("answers 421 to any other host, on every path: %j", async (headers) => {
    for (const path of ["/", "/sign-in", "/api/auth/callback/demo", "/api/audits"]) {
      const response = refuseUnknownHost(request(path, headers), PRODUCTION);
      expect(response?.status).toBe(421);
      expect(response?.headers.get("content-type")).toContain("text/plain");
      expect(await response?.text()).not.toContain("evil.test");
    }
  });

  it("answers 400 to a request without a usable Host", () => {
    expect(refuseUnknownHost(request("/", {}), PRODUCTION)?.status).toBe(400);
    expect(refuseUnknownHost(request("/", { host: "a b" }), PRODUCTION)?.status).toBe(400);
  });

  it("takes AUDIT_ALLOWED_HOSTS too, such as the address a proxy puts in Host", () => {
    const env = readEnv({
      NODE_ENV: "production",
      NEXTAUTH_URL: "https://audit.example.com",
      AUDIT_ALLOWED_HOSTS: "10.0.0.5:3000,audit.corp.example",
    });
    const proxied = { host: "10.0.0.5:3000", "x-forwarded-host": "audit.example.com" };
    expect(refuseUnknownHost(request("/", proxied), env)).toBeNull();
    expect(refuseUnknownHost(request("/", { host: "audit.corp.example" }), env)).toBeNull();
    expect(refuseUnknownHost(request("/", { host: "10.0.0.6:3000" }), env)?.status).toBe(421);
  });

  it("refuses every host in production without NEXTAUTH_URL, saying why", async () => {
    const response = refuseUnknownHost(
      request("/", { host: "audit.example.com" }),
      readEnv({ NODE_ENV: "production" }),
    );
    expect(response?.status).toBe(421);
    expect(await response?.text()).toContain("NEXTAUTH_URL");
  });

  it("leaves the health check open to probes that call the instance by its address", () => {
    expect(refuseUnknownHost(request("/api/health", { host: "10.0.0.7:3000" }), PRODUCTION)).toBeNull();
    expect(refuseUnknownHost(request("/api/health/x", { host: "10.0.0.7:3000" }), PRODUCTION)?.status).toBe(
      421,
    );
  });

  it("checks nothing outside production (development and tests pick their own hosts)", () => {
    for (const NODE_ENV of ["development", "test"]) {
      const env = readEnv({ NODE_ENV, NEXTAUTH_URL: "https://audit.example.com" });
      expect(refuseUnknownHost(request("/", { host: "evil.test" }), env)).toBeNull();
    }
  });
});
