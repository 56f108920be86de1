import { expect, test } from "@playwright/test";

test.describe("signing in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a signed-out visitor is redirected to sign-in and brought back to where they were going", async ({
    page,
    request,
  }) => {
    const direct = await request.get("/audits/any/findings?status=open", { maxRedirects: 0 });
    expect(direct.status()).toBe(307);
    expect(direct.headers().location).toContain(
      "/sign-in?callbackUrl=%2Faudits%2Fany%2Ffindings%3Fstatus%3Dopen",
    );

    await page.goto("/audits/unknown-audit/schedules");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
    await page.getByRole("button", { name: /^Sign in as Theo Marsh/ }).click();
    await expect(page).toHaveURL(/\/audits\/unknown-audit\/schedules$/);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  });

  test("an open redirect in the callback is refused", async ({ page, baseURL }) => {
    await page.goto("/sign-in?callbackUrl=https%3A%2F%2Fevil.example%2Fphish");
    await page.getByRole("button", { name: /^Sign in as Theo Marsh/ }).click();
    await expect(page).toHaveURL((url) => url.origin === new URL(baseURL ?? "").origin);
    // Let the page finish rendering, so the test never ends on a half-streamed response.
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });

  test("the API answers 401 without a session, and refuses a cross-site POST", async ({ request }) => {
    expect((await request.get("/api/overview")).status()).toBe(401);
    const forged = await request.post("/api/audits", { headers: { origin: "https://evil.example" } });
    expect(forged.status()).toBe(403);
  });
});
