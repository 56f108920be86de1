import { FindingsPage } from "./pages/findings-page";
import { PersonPage } from "./pages/person-page";
import { expect, test } from "./fixtures";

const AMARA = { name: "Amara Okafor", gitlab: "aokafor" };
const REPLY = "On the old APAC event only <script>alert(1)</script>: adding myself today.";

test.describe("activity", () => {
  test.use({ role: "ops" });

  test("a reply reads with its text and its author's name, on the person's activity and the audit's", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    await overview.gotoFindings();
    const findings = new FindingsPage(page);
    await findings.openPerson(AMARA.name);
    const person = new PersonPage(page);
    await person.ping();
    const [issue] = await gitlab.auditIssues();
    await gitlab.reply(issue?.iid ?? 0, AMARA.gitlab, REPLY);
    await overview.gotoFindings();
    await expect(await findings.checkReplies()).toHaveText("1 new reply on the issue.");

    await findings.openPerson(AMARA.name);
    const replied = person.timelineEntry("Reply received");
    await expect(replied).toContainText(`from ${AMARA.name} (@${AMARA.gitlab})`);
    await expect(replied).toContainText(REPLY);
    await expect(person.timelineEntry("Pinged")).toHaveCount(1);
    await page.screenshot({ path: "test-results/screenshots/person-activity.png", fullPage: true });

    await overview.goto();
    const recent = page.getByRole("list", { name: "Activity" });
    await expect(recent.getByRole("listitem").first()).toContainText(REPLY);
    await recent.getByRole("link", { name: AMARA.name }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: AMARA.name })).toBeVisible();

    await overview.goto();
    await page.getByRole("link", { name: /^All activity/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Activity" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Activity" })).toContainText(`${AMARA.name}: Pinged`);
    await expect(page.getByText("<script>", { exact: false })).toHaveCount(1);
  });
});
