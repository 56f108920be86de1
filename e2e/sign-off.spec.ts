import { SignOffPage } from "./pages/sign-off-page";
import { expect, postFromPage, test } from "./fixtures";

test.describe("manager review", () => {
  test.use({ role: "opsManager" });

  test("the Support Operations Manager signs off with an override, and the audit becomes read-only", async ({
    page,
    demo,
  }) => {
    const overview = await demo.freshAudit();

    const signOff = new SignOffPage(page);
    await signOff.goto();
    await expect(page.getByRole("table", { name: /Every finding of FY27-Q3/ })).toBeVisible();
    // Without the override reason, Sign off says what is missing at the comment box.
    await signOff.signOffButton.click();
    await expect(signOff.comment).toBeFocused();
    await expect(signOff.comment).toHaveAccessibleDescription(
      /Give the override reason: at least 10 characters \(0 so far\)\./,
    );
    await signOff.signOff("Open items are tracked in the Q4 onboarding epic.");
    await expect(page.getByText("Signed off by")).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/sign-off.png", fullPage: true });

    await overview.goto();
    await expect(page.getByRole("button", { name: "Run audit" })).toHaveCount(0);
  });
});

test.describe("sign-off by anyone else", () => {
  test.use({ role: "ops" });

  test("is refused to Support Operations and to team members, in the page and by the server", async ({
    page,
    demo,
    gitlab,
    pageAs,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();

    await test.step("Support Operations", async () => {
      const signOff = new SignOffPage(page);
      await signOff.goto();
      await expect(page.getByRole("button", { name: "Submit for review" })).toBeVisible();
      await expect(signOff.signOffButton).toHaveCount(0);
      await expect(signOff.comment).toHaveCount(0);
      const response = await postFromPage(page, `${signOff.auditApiPath()}/sign-off`, {
        overrideReason: "Open items are tracked in the Q4 onboarding epic.",
      });
      expect(response.status()).toBe(403);
    });

    await test.step("a team member", async () => {
      const member = await pageAs("member");
      await member.goto("/");
      const signOff = new SignOffPage(member);
      await signOff.goto();
      await expect(member.getByText(/finding\(s\) addressed/)).toBeVisible();
      await expect(member.getByRole("button", { name: "Submit for review" })).toHaveCount(0);
      await expect(signOff.signOffButton).toHaveCount(0);
      const response = await postFromPage(member, `${signOff.auditApiPath()}/sign-off`, {
        overrideReason: "Open items are tracked in the Q4 onboarding epic.",
      });
      expect(response.status()).toBe(403);
    });

    // Nothing reached the audit issue, and the audit is still open.
    const [issue, ...others] = await gitlab.auditIssues();
    expect(others).toHaveLength(0);
    expect(issue?.state).toBe("opened");
    expect(issue?.notes).toHaveLength(0);
    await page.reload();
    await expect(page.getByRole("button", { name: "Submit for review" })).toBeVisible();
    await expect(page.getByText("Signed off by")).toHaveCount(0);
  });
});
