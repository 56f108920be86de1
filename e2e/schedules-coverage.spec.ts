import { expect, test } from "./fixtures";
import { SchedulesPage } from "./pages/schedules-page";

/** The demo org's Schedules page at desktop width when every rotation showed two full tables. */
const HEIGHT_WITH_FULL_TABLES_PX = 4528;
const PHONE = { width: 390, height: 844 };

test.describe("the Schedules page", () => {
  test.use({ role: "ops" });

  test("shows the demo org's problems first, hides healthy rows, is a fraction of its old height and never scrolls sideways", async ({
    page,
    demo,
  }) => {
    await demo.freshAudit();
    const schedules = new SchedulesPage(page);
    await schedules.goto();

    await test.step("problems only by default: the roster holds more than 50 people", async () => {
      await expect(schedules.showToggle("Problems only")).toHaveAttribute("aria-current", "true");
      // Every listed row carries a problem; healthy people are counted, not listed.
      await expect(schedules.people.first()).toBeVisible();
      for (const row of await schedules.people.all()) {
        await expect(
          row.getByText(/^(Missing|No PagerDuty ID|Deleted user|Not in roster|Not expected here)$/).first(),
        ).toBeVisible();
      }
      await expect(page.getByText(/more (person|people) covered, not shown/).first()).toBeVisible();
      // The jump list leads to each rotation, with its count of problems.
      await expect(schedules.jumpList.getByRole("link")).toHaveCount(6);
      await expect(schedules.jumpList.getByRole("link").first()).toContainText(/\d+ problems?/);
    });

    await test.step("much shorter than two tables per rotation", async () => {
      const { height, overflowsSideways } = await schedules.size();
      test.info().annotations.push({ type: "height, problems only, 1280 px", description: `${height} px` });
      expect(height).toBeLessThan(HEIGHT_WITH_FULL_TABLES_PX / 2);
      expect(overflowsSideways).toBe(false);
      await page.screenshot({ path: "test-results/screenshots/schedules-desktop.png", fullPage: true });
    });

    await test.step("no sideways scroll at 390 px, either way", async () => {
      await page.setViewportSize(PHONE);
      const problems = await schedules.size();
      test
        .info()
        .annotations.push({ type: "height, problems only, 390 px", description: `${problems.height} px` });
      expect(problems.overflowsSideways).toBe(false);
      await page.screenshot({ path: "test-results/screenshots/schedules-phone.png", fullPage: true });

      await schedules.show("Everyone");
      await expect(page).toHaveURL(/[?&]show=all/);
      const everyone = await schedules.size();
      test
        .info()
        .annotations.push({ type: "height, everyone, 390 px", description: `${everyone.height} px` });
      expect(everyone.overflowsSideways).toBe(false);
      expect(everyone.height).toBeGreaterThan(problems.height);
      await page.setViewportSize({ width: 1280, height: 720 });
      const desktop = await schedules.size();
      test
        .info()
        .annotations.push({ type: "height, everyone, 1280 px", description: `${desktop.height} px` });
    });

    await test.step("a name opens the person page by person key; users and schedules link to PagerDuty", async () => {
      const missing = schedules.people.filter({ hasText: "Missing" }).first();
      const person = missing.getByRole("link").first();
      const name = (await person.textContent())?.trim() ?? "";
      // By key (a roster email), never by display name.
      await expect(person).toHaveAttribute("href", /\/people\/[^/]+%40[^/]+$/);
      await expect(
        missing.getByRole("link", { name: /^P[A-Z0-9]+ \(opens in a new tab\)$/ }),
      ).toHaveAttribute("href", /^https:\/\/sandbox\.pagerduty\.example\/users\/P[A-Z0-9]+$/);
      await expect(
        page.getByRole("list", { name: "Schedules" }).first().getByRole("link").first(),
      ).toHaveAttribute("href", /^https:\/\/sandbox\.pagerduty\.example\/schedules\//);
      await person.click();
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    });
  });
});
