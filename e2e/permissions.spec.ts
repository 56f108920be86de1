import { OverviewPage } from "./pages/overview-page";
import { expect, test } from "./fixtures";

test.describe("a team member", () => {
  test.use({ role: "member" });

  test("sees the audit but cannot ping, run or escalate", async ({ page, demo, browser, baseURL }) => {
    // Support Operations open and run the audit; the member then looks at it.
    await demo.reset();
    const ops = await browser.newContext({ storageState: "e2e/.auth/ops.json", baseURL });
    const opsPage = await ops.newPage();
    const overview = new OverviewPage(opsPage);
    await overview.openAndRunAudit("FY27-Q3");
    await ops.close();

    await page.goto("/");
    await expect(page.getByRole("button", { name: "Run audit" })).toHaveCount(0);
    await page.getByRole("navigation").getByRole("link", { name: "Findings" }).click();
    await page.getByRole("table").getByRole("link", { name: "Amara Okafor" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Amara Okafor" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Ping/ })).toHaveCount(0);

    // The server refuses too, whatever the page shows.
    const personUrl = new URL(page.url());
    const response = await page.request.post(
      `${personUrl.pathname.replace(/^\/audits/, "/api/audits")}/actions`,
      {
        data: { action: { type: "ping" } },
        headers: { origin: personUrl.origin },
      },
    );
    expect(response.status()).toBe(403);
  });
});
