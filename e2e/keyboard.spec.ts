import { FindingsPage } from "./pages/findings-page";
import { OverviewPage } from "./pages/overview-page";
import { PersonPage } from "./pages/person-page";
import { CURRENT_AUDIT, expect, test } from "./fixtures";

/** Where the keyboard is after an action: on or near the control, never back at the top of the page. */
test.describe("the focus after an action", () => {
  test.use({ role: "ops" });

  test("Open audit hands it to Run audit, which keeps it through the run and the refresh after it", async ({
    page,
    demo,
  }) => {
    await demo.reset();
    await new OverviewPage(page).goto();
    await page.getByRole("button", { name: `Open ${CURRENT_AUDIT} audit` }).press("Enter");
    const run = page.getByRole("button", { name: "Run audit" });
    await expect(run).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(page.getByText(/Last run .*complete/i)).toBeVisible({ timeout: 45_000 });
    // Available again once the page has been refreshed with the run's findings.
    await expect(run).toHaveAttribute("aria-disabled", "false");
    await expect(run).toBeFocused();
  });

  test("Ping hands it to what was done; a refused justification takes it to the field, which says why", async ({
    page,
    demo,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    await overview.gotoFindings();
    await new FindingsPage(page).openPerson("Amara Okafor");
    const person = new PersonPage(page);

    await person.ping();
    const outcome = page.getByRole("status").filter({ hasText: /^Pinged: / });
    await expect(outcome).toBeFocused();
    // The Ping button is disabled now (nothing left to ping): the focus did not follow it away.
    await expect(page.getByRole("button", { name: /^Ping/ })).toBeDisabled();
    await expect(outcome).toBeFocused();

    await page.getByRole("button", { name: "Mark intentional" }).first().press("Enter");
    const justification = page.getByLabel("Justification").first();
    await expect(justification).toBeFocused();
    await expect(justification).toHaveAccessibleDescription(/Write at least 10 characters \(0 so far/);
    await justification.fill("Seat is moving to her new account this week.");
    await expect(justification).not.toHaveAttribute("aria-invalid");
  });
});
