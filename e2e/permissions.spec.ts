import { expect, postFromPage, test } from "./fixtures";

test.describe("a team member", () => {
  test.use({ role: "member" });

  test("sees the audit but cannot ping, run or escalate", async ({ page, demo, pageAs }) => {
    // Support Operations open and run the audit; the member then looks at it.
    await demo.freshAudit(await pageAs("ops"));

    await page.goto("/");
    await expect(page.getByRole("button", { name: "Run audit" })).toHaveCount(0);
    await page.getByRole("navigation").getByRole("link", { name: "Findings", exact: true }).click();
    await page.getByRole("table").getByRole("link", { name: "Amara Okafor" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Amara Okafor" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Ping/ })).toHaveCount(0);

    // The server refuses too, whatever the page shows.
    const personUrl = new URL(page.url());
    const response = await postFromPage(
      page,
      `${personUrl.pathname.replace(/^\/audits/, "/api/audits")}/actions`,
      { action: { type: "ping" } },
    );
    expect(response.status()).toBe(403);
  });
});
