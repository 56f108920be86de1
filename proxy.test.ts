import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import type * as EnvModule from "@/lib/env";

// The demo as scripts/demo.ts serves it: a production build on 127.0.0.1:3100.
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return {
    ...actual,
    getEnv: () => actual.readEnv({ NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3100" }),
  };
});

const { proxy } = await import("./proxy");

function request(path: string, host: string, cookie?: string): NextRequest {
  const headers: Record<string, string> = { host };
  if (cookie) headers.cookie = cookie;
  return new NextRequest(`http://127.0.0.1:3100${path}`, { headers });
}

describe("proxy", () => {
  it("refuses a rebound name on every path, the demo sign-in and the API included", async () => {
    for (const path of ["/", "/sign-in", "/api/auth/callback/demo", "/api/auth/csrf", "/api/audits"]) {
      const response = proxy(request(path, "evil.test:3100"));
      expect(response.status, path).toBe(421);
      expect(await response.text()).toContain("Misdirected request");
    }
  });

  it("redirects a signed-out visitor of a page to sign-in, and lets the rest through", () => {
    const page = proxy(request("/audits/FY27-Q3/findings?status=open", "127.0.0.1:3100"));
    expect(page.status).toBe(307);
    // Next makes a same-origin Location relative on the way out; here the path is what matters.
    const location = new URL(page.headers.get("location") ?? "");
    expect(`${location.pathname}${location.search}`).toBe(
      "/sign-in?callbackUrl=%2Faudits%2FFY27-Q3%2Ffindings%3Fstatus%3Dopen",
    );
    for (const path of ["/sign-in", "/sign-in/error", "/api/audits", "/favicon.ico"]) {
      expect(proxy(request(path, "127.0.0.1:3100")).headers.get("x-middleware-next"), path).toBe("1");
    }
    const signedIn = proxy(request("/", "127.0.0.1:3100", "next-auth.session-token=x"));
    expect(signedIn.headers.get("x-middleware-next")).toBe("1");
  });
});
