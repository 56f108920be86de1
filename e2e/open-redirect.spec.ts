import { expect, test } from "./fixtures";

/**
 * A signed-in visitor sent to `/sign-in?callbackUrl=…` is redirected at once: each hostile target must
 * leave them on the dashboard (never another host, never a server error). The raw query strings are what
 * a phishing link would carry; Chromium's own URL parsing decides where a `Location` leads.
 */
const HOSTILE_CALLBACKS = [
  "/%09/evil.test/phish",
  "/%09%5Cevil.test",
  "%09//evil.test",
  "//evil.test",
  "/%5Cevil.test",
  "%5C%5Cevil.test",
  "/.//evil.test",
  "/%2e//evil.test",
  "/a/..//evil.test",
  "https%3A%2F%2Fevil.test%2Fphish",
  "http:evil.test",
  "javascript:alert(document.domain)",
  "/audits%0D%0ASet-Cookie:%20x=1",
  "/%0A/evil.test",
  "/audits%E2%80%A8x",
  // Non-Latin-1 in the query: an unknown audit id in the path would render the audit layout, whose links'
  // prefetches can turn into a full navigation while the test's context closes (a hang in teardown).
  "/?from=%D0%96%F0%9F%98%80",
  "/%C3%BF%C4%80",
];

test.describe("a signed-in visitor on /sign-in", () => {
  test.use({ role: "ops" });

  for (const callback of HOSTILE_CALLBACKS) {
    test(`stays on the dashboard for callbackUrl=${callback}`, async ({ page, baseURL }) => {
      const origin = new URL(baseURL ?? "http://127.0.0.1").origin;
      const response = await page.goto(`/sign-in?callbackUrl=${callback}`);
      expect(response, "the navigation ended on a page").not.toBeNull();
      expect(response?.status() ?? 0, `${page.url()}`).toBeLessThan(500);
      expect(new URL(page.url()).origin).toBe(origin);
      // The redirect itself, not only where the browser ended: its Location resolves to this site.
      const redirect = await page.request.get(`/sign-in?callbackUrl=${callback}`, { maxRedirects: 0 });
      expect(redirect.status()).toBe(307);
      expect(new URL(redirect.headers().location ?? "", `${origin}/sign-in`).origin).toBe(origin);
    });
  }

  test("is brought to a same-site callbackUrl, query and all", async ({ page, baseURL }) => {
    const origin = new URL(baseURL ?? "http://127.0.0.1").origin;
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(`${origin}/?from=mail#top`)}`);
    await expect(page).toHaveURL(`${origin}/?from=mail#top`);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });
});
