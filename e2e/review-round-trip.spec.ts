import { SignOffPage } from "./pages/sign-off-page";
import { expect, PEOPLE, test } from "./fixtures";

const CHANGES = "Justify the two APAC waivers <b>before</b> I sign.";
const OVERRIDE = "Open items are tracked in the Q4 onboarding epic.";

test.describe("the review, there and back", () => {
  test.use({ role: "ops" });

  test("the reviewer requests changes, Support Operations read why and resubmit, and the reviewer approves", async ({
    page,
    demo,
    gitlab,
    pageAs,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    const ops = new SignOffPage(page);

    await test.step("Support Operations submit the audit for review", async () => {
      await ops.goto();
      await ops.submitForReview();
    });

    const reviewerPage = await pageAs("opsManager");
    await reviewerPage.goto("/");
    const reviewer = new SignOffPage(reviewerPage);

    await test.step("the reviewer requests changes with a comment, by keyboard", async () => {
      await reviewer.goto();
      await expect(reviewer.decision("Approve")).toBeChecked();
      await reviewer.decision("Approve").focus();
      await reviewerPage.keyboard.press("ArrowDown");
      await expect(reviewer.decision("Request changes")).toBeChecked();
      // Sending without a comment is refused where the comment goes, and the focus is taken there.
      await reviewerPage.keyboard.press("Tab");
      await expect(reviewer.comment).toBeFocused();
      await reviewerPage.keyboard.press("Tab");
      await expect(reviewer.requestChangesButton).toBeFocused();
      await reviewerPage.keyboard.press("Enter");
      await expect(reviewer.comment).toBeFocused();
      await expect(reviewer.comment).toHaveAccessibleDescription(
        /Say what needs doing: at least 10 characters \(0 so far\)\./,
      );
      await expect(reviewer.sentBackNotice).toHaveCount(0);
      await reviewerPage.keyboard.type(CHANGES);
      await reviewerPage.keyboard.press("Tab");
      await expect(reviewer.requestChangesButton).toBeFocused();
      await reviewerPage.screenshot({ path: "test-results/screenshots/review-decision.png", fullPage: true });
      await reviewerPage.keyboard.press("Enter");
      await expect(reviewer.sentBackNotice).toContainText(CHANGES);
    });

    await test.step("Support Operations read the comment on the overview and the sign-off page", async () => {
      await overview.goto();
      await expect(ops.sentBackNotice).toContainText(CHANGES);
      await expect(ops.sentBackNotice).toContainText(`by ${PEOPLE.opsManager}`);
      await page.screenshot({ path: "test-results/screenshots/overview-sent-back.png", fullPage: true });
      await ops.goto();
      await expect(ops.sentBackNotice).toContainText(CHANGES);
      await expect(page.getByRole("list", { name: "Review history" })).toContainText(
        "Sent back for more work",
      );
    });

    await test.step("Support Operations resubmit; the send-back no longer stands", async () => {
      await ops.submitForReview();
      await expect(ops.sentBackNotice).toHaveCount(0);
      await overview.goto();
      await expect(ops.sentBackNotice).toHaveCount(0);
    });

    await test.step("the reviewer approves, confirms what will happen, and the audit is signed off", async () => {
      await reviewerPage.reload();
      await expect(reviewer.sentBackNotice).toHaveCount(0);
      await reviewer.signOffButton.click();
      await expect(reviewer.comment).toBeFocused();
      await expect(reviewer.comment).toHaveAccessibleDescription(/Give the override reason/);
      await expect(reviewerPage.getByRole("dialog", { name: "Sign off the audit?" })).toBeHidden();
      const [issue] = await gitlab.auditIssues();
      await reviewer.decision("Approve").check();
      await reviewer.comment.fill(OVERRIDE);
      await reviewer.signOffButton.click();
      const dialog = reviewerPage.getByRole("dialog", { name: "Sign off the audit?" });
      await expect(dialog).toContainText(`posted on the audit issue #${issue?.iid}, and the issue is closed`);
      await expect(dialog).toContainText(OVERRIDE);
      await expect(dialog).toContainText("The audit becomes read-only");
      await dialog.getByRole("button", { name: `Sign off and close #${issue?.iid}` }).click();
      await expect(reviewerPage.getByText("The audit is read-only.")).toBeVisible();
      await expect(reviewerPage.getByText(`Signed off by`)).toBeVisible();
    });

    await test.step("Support Operations see it signed off; the issue tells the whole round trip", async () => {
      await ops.goto();
      await expect(page.getByText("The audit is read-only.")).toBeVisible();
      await expect(page.getByText(`Signed off by`)).toBeVisible();
      await expect(ops.submitForReviewButton).toHaveCount(0);
      const [issue, ...others] = await gitlab.auditIssues();
      expect(others).toHaveLength(0);
      expect(issue?.state).toBe("closed");
      const said = (issue?.notes ?? []).map((note) => note.body.split("\n")[0]);
      expect(said).toEqual([
        expect.stringContaining("**Submitted for review** (submission 1)"),
        expect.stringContaining("**Sent back for more work**"),
        expect.stringContaining("**Submitted for review** (submission 2)"),
        expect.stringContaining("**Signed off**"),
      ]);
      expect(issue?.notes[1]?.body).not.toContain("<b>");
    });
  });
});
