import { expect, test } from "./fixtures";

/**
 * Every response carries the security headers (lib/server/security-headers.ts): no other site can frame
 * a signed-in page with live Ping/Waive buttons, and the policy does not get in the way of the app's own
 * scripts.
 */
const EXPECTED = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};

function expectSecurityHeaders(headers: Record<string, string>): void {
  expect(headers).toMatchObject(EXPECTED);
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
}

test.describe("security headers", () => {
  test.use({ role: "ops" });

  test("a signed-in page and its API carry them, and the page runs under the policy", async ({
    page,
    demo,
  }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) violations.push(message.text());
    });
    await demo.freshAudit();

    const response = await page.goto("/");
    expect(response).not.toBeNull();
    expectSecurityHeaders(response!.headers());
    // Client-side navigation works: the app's scripts ran.
    await page.getByRole("navigation").getByRole("link", { name: "Findings", exact: true }).click();
    await expect(page.getByRole("table")).toBeVisible();
    expect(violations).toEqual([]);

    expectSecurityHeaders((await page.request.get("/api/health")).headers());
  });

  test("a signed-out page and a refused API call carry them too", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    try {
      const signIn = await context.request.get(`${baseURL}/sign-in`);
      expect(signIn.status()).toBe(200);
      expectSecurityHeaders(signIn.headers());
      const api = await context.request.get(`${baseURL}/api/overview`);
      expect(api.status()).toBe(401);
      expectSecurityHeaders(api.headers());
    } finally {
      await context.close();
    }
  });
});
