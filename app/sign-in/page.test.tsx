import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as EnvModule from "@/lib/env";
import { sessionUserOf } from "@/lib/auth/testing";
import type { SessionUser } from "@/lib/auth/roles";

const APP = "https://audit.example.com";

// The page as a request for it runs: a signed-in visitor, the app's environment, and Next's redirect (which
// throws; Next then answers 307 with the target as `Location`).
const signedIn: { user: SessionUser | null } = { user: null };
vi.mock("server-only", () => ({}));
vi.mock("@/lib/auth/session", () => ({
  getSessionUser: async () => signedIn.user,
  getRosterPeople: async () => [],
}));
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return { ...actual, getEnv: () => actual.readEnv({ NEXTAUTH_URL: APP, NODE_ENV: "production" }) };
});
class Redirected extends Error {
  constructor(readonly target: string) {
    super(`redirected to ${target}`);
  }
}
vi.mock("next/navigation", () => ({
  redirect: (target: string) => {
    throw new Redirected(target);
  },
}));

const { default: SignInPage } = await import("./page");

/** Where the page sends a signed-in visitor for `?callbackUrl=<raw>` (as the query string decodes it). */
async function redirectOf(callbackUrl: string | string[]): Promise<string> {
  try {
    await SignInPage({ searchParams: Promise.resolve({ callbackUrl }) });
  } catch (error) {
    if (error instanceof Redirected) return error.target;
    throw error;
  }
  throw new Error("the page did not redirect a signed-in visitor");
}

describe("sign-in page, signed in: the callbackUrl redirect", () => {
  beforeEach(() => {
    signedIn.user = sessionUserOf("Olivia Grant");
  });

  it.each([
    "/\t/evil.test/phish",
    "/\t\\evil.test",
    "/\n/evil.test",
    "/\r\n/evil.test",
    "\t//evil.test",
    "//evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "/.//evil.test",
    "/%2e//evil.test",
    "/a/..//evil.test",
    "https://evil.test/phish",
    "http:evil.test",
    "javascript:alert(document.cookie)",
    "/audits\r\nSet-Cookie: x=1",
    "/audits\u2028x",
    "/audits/\u0416\u{1F600}",
    "/\u00ff\u0100",
    "",
  ])("%j stays on the app's origin and is a valid Location", async (callbackUrl) => {
    const target = await redirectOf(callbackUrl);
    // Next puts the target in the Location header: a value Headers refuses is a 500.
    expect(() => new Headers({ location: target })).not.toThrow();
    // The browser resolves Location against the page's URL, as the WHATWG parser does.
    expect(new URL(target, `${APP}/sign-in`).origin).toBe(APP);
  });

  it.each([
    ["/audits/FY27-Q3/findings?status=open#top", "/audits/FY27-Q3/findings?status=open#top"],
    [`${APP}/audits?x=1`, "/audits?x=1"],
    [["/people", "//evil.test"], "/people"],
    ["/audits/\u0416", "/audits/%D0%96"],
  ])("%j goes to %s", async (callbackUrl, expected) => {
    expect(await redirectOf(callbackUrl)).toBe(expected);
  });
});
