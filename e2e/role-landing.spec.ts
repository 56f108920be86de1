import { demoUserId } from "../sandbox/scenarios/demo-org";
import { expect, signInWithDemo, test } from "./fixtures";
import { FindingsPage } from "./pages/findings-page";
import { PersonPage } from "./pages/person-page";

/** Demo-org people (sandbox/scenarios/demo-org.ts): a member with a finding and their manager. */
const CHLOE = "Chloe Park";
const HANNAH = "Hannah Lindqvist";
/** Another of Hannah's reports: an email mismatch and a shared ID. */
const SEAN = "Sean Murray";
const CHLOE_ID = demoUserId(CHLOE);

test.describe("each role lands where its work is", () => {
  test("a team member with a finding lands on it, told in plain words what to do, with the line to copy", async ({
    browser,
    baseURL,
    demo,
    pageAs,
  }) => {
    await demo.freshAudit(await pageAs("ops"));
    // Chloe reads the dashboard in Berlin: moments show in her browser's time zone.
    const context = await browser.newContext({
      baseURL,
      storageState: { cookies: [], origins: [] },
      timezoneId: "Europe/Berlin",
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    await signInWithDemo(page, CHLOE);

    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByRole("heading", { level: 1, name: "Your findings" })).toBeVisible();
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Your findings" }),
    ).toHaveAttribute("aria-current", "page");
    const finding = page.getByRole("article", { name: "No PagerDuty ID in the roster" });
    await expect(finding).toContainText(
      `Set pagerduty.id: ${CHLOE_ID} in your roster entry (PagerDuty user ${CHLOE_ID} has your roster email), then reply on the audit issue.`,
    );
    await finding.getByRole("button", { name: `Copy pagerduty.id: ${CHLOE_ID}` }).focus();
    await page.keyboard.press("Enter");
    await expect(finding.getByText("Copied", { exact: true }).first()).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`pagerduty.id: ${CHLOE_ID}`);
    await expect(page.getByRole("group", { name: "Demo clock" })).toHaveCount(0);
    await page.screenshot({ path: "test-results/screenshots/your-findings.png", fullPage: true });

    // The evidence behind it, with the suggested user linked to PagerDuty.
    await page.getByRole("link", { name: "See the evidence" }).click();
    await expect(page.getByRole("heading", { level: 1, name: CHLOE })).toBeVisible();
    await expect(page.getByRole("link", { name: new RegExp(`^${CHLOE_ID}`) })).toHaveAttribute(
      "href",
      new RegExp(`/users/${CHLOE_ID}$`),
    );
    await expect(
      page
        .locator("time")
        .filter({ hasText: / Europe\/Berlin$/ })
        .first(),
    ).toBeVisible();
    await context.close();
  });

  test.describe("a team member without findings", () => {
    test.use({ role: "member" });

    test("is told there is nothing for them to fix, and sees no demo clock", async ({
      page,
      demo,
      pageAs,
    }) => {
      const ops = await pageAs("ops");
      await demo.freshAudit(ops);
      await page.goto("/");
      await expect(page).toHaveURL(/\/me$/);
      await expect(page.getByRole("heading", { name: "Nothing for you to fix" })).toBeVisible();
      await expect(page.getByRole("group", { name: "Demo clock" })).toHaveCount(0);
      // Those who may move the clock still have it.
      await ops.goto("/");
      await expect(ops.getByRole("group", { name: "Demo clock" })).toBeVisible();
    });
  });

  test("a manager lands on their team: their reports' findings, what is overdue, what they may do", async ({
    page,
    browser,
    baseURL,
    demo,
  }) => {
    // Support Operations (this test's page) run the audit, export it and ping Sean Murray; a week passes,
    // more than the follow-up's 72 hours of the working week.
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    await overview.gotoFindings();
    await new FindingsPage(page).openPerson(SEAN);
    await new PersonPage(page).ping();
    await demo.advanceClock(7 * 24);

    const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    const manager = await context.newPage();
    await signInWithDemo(manager, HANNAH);
    await expect(manager).toHaveURL(/\/team$/);
    await expect(manager.getByRole("heading", { level: 1, name: "Your team" })).toBeVisible();
    await expect(manager.getByText(/of your \d+ reports have something to fix; 1 overdue\./)).toBeVisible();
    // Overdue first, with the step the manager may take.
    const first = manager.getByRole("article").first();
    await expect(first.getByRole("heading")).toHaveText(SEAN);
    await expect(first).toContainText("Overdue");
    await expect(first).toContainText("You can: Escalate · Mark intentional or waive");
    await expect(manager.getByRole("article", { name: CHLOE })).toContainText("You can: Ping");
    // Someone else's report is not on the page, and the demo clock is not theirs to move.
    await expect(manager.getByRole("article", { name: "Amara Okafor" })).toHaveCount(0);
    await expect(manager.getByRole("group", { name: "Demo clock" })).toHaveCount(0);
    await manager.screenshot({ path: "test-results/screenshots/your-team.png", fullPage: true });
    await context.close();
  });
});
