import { OverviewPage } from "./pages/overview-page";
import { expect, test } from "./fixtures";

test.describe("manager review", () => {
  test.use({ role: "opsManager" });

  test("the Support Operations Manager signs off with an override, and the audit becomes read-only", async ({
    page,
    demo,
  }) => {
    await demo.reset();
    const overview = new OverviewPage(page);
    await overview.openAndRunAudit("FY27-Q3");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign-off" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign-off" })).toBeVisible();
    await expect(page.getByRole("table", { name: /Every finding of FY27-Q3/ })).toBeVisible();
    const signOff = page.getByRole("button", { name: "Sign off" });
    await expect(signOff).toBeDisabled();
    await page.getByLabel("Override reason").fill("Open items are tracked in the Q4 onboarding epic.");
    await signOff.click();
    await expect(page.getByText("Signed off by")).toBeVisible();
    await expect(page.getByText("The audit is read-only.")).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/sign-off.png", fullPage: true });

    await overview.goto();
    await expect(page.getByRole("button", { name: "Run audit" })).toHaveCount(0);
  });
});
