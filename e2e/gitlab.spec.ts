import { AUDIT_BOT_USERNAME, PAGERDUTY_TEMPLATE } from "../sandbox/scenarios/gitlab-audits";
import { FindingsPage } from "./pages/findings-page";
import { PersonPage } from "./pages/person-page";
import { SignOffPage } from "./pages/sign-off-page";
import { CURRENT_AUDIT, addToApacSchedule, expect, postFromPage, test, type GitLab } from "./fixtures";

const AUDIT = CURRENT_AUDIT;
/** A demo-org engineer with a finding, and her GitLab username (the roster's `gitlab.username`). */
const AMARA = { name: "Amara Okafor", gitlab: "aokafor" };
const NOTES = "## Notes";

/** The lines between `heading` and the next level-2 heading (or the end), joined. */
function sectionOf(description: string, heading: string): string {
  const lines = description.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `${heading} in:\n${description}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  return lines.slice(start + 1, end === -1 ? undefined : end).join("\n");
}

/** The description with the Notes section emptied: everything the export must leave as it found it. */
function outsideNotes(description: string): string {
  const notes = sectionOf(description, NOTES);
  return description.replace(`${NOTES}\n${notes}`, NOTES);
}

/** The audits project's only issue; fails when the export made none, or more than one. */
async function theAuditIssue(gitlab: GitLab) {
  const issues = await gitlab.auditIssues();
  expect(issues, "issues in the audits project").toHaveLength(1);
  const [issue] = issues;
  if (!issue) throw new Error("unreachable");
  return issue;
}

test.describe("the audit issue in GitLab", () => {
  test.use({ role: "ops" });

  test("'Export to issue' previews the description, then creates one issue with the report under Notes, linked from the audit", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await expect(page.getByText("No audit issue yet")).toBeVisible();

    const dialog = await overview.openExportPreview();
    await expect(dialog).toHaveAccessibleName("Create the audit issue");
    const preview = dialog.getByLabel("Issue description");
    await expect(preview).toContainText(`##### ${AMARA.name} @${AMARA.gitlab}`);
    const previewed = (await preview.textContent()) ?? "";
    expect(await gitlab.auditIssues(), "nothing is written before confirming").toHaveLength(0);
    await dialog.getByRole("button", { name: "Create issue" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Issue created:/ })).toBeVisible();

    const issue = await theAuditIssue(gitlab);
    expect(issue.title).toBe(`PagerDuty audit ${AUDIT}`);
    expect(issue.state).toBe("opened");
    const description = issue.description ?? "";
    expect(description, "what was written is what the preview showed").toBe(previewed);
    const notes = sectionOf(description, NOTES);
    expect(notes).toContain("#### PagerDuty audit findings");
    expect(notes).toContain(`##### ${AMARA.name} @${AMARA.gitlab}`);
    expect(notes).not.toContain("The audit output goes here.");
    // Everything else is the template's: intro, checklist, sign-off section, quick actions.
    expect(outsideNotes(description)).toBe(outsideNotes(PAGERDUTY_TEMPLATE));
    expect(sectionOf(description, "## Sign-off")).toContain("- [ ] Support Operations Manager reviewed");

    const issuePath = new RegExp(`/-/issues/${issue.iid}$`);
    await expect(overview.issueLink).toHaveAttribute("href", issuePath);
    await page.reload();
    await expect(overview.issueLink).toHaveAttribute("href", issuePath);
  });

  test("exporting again after a re-run rewrites the same issue's Notes in place, keeping edits made in GitLab", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    const first = await theAuditIssue(gitlab);
    expect(sectionOf(first.description ?? "", NOTES)).toContain(AMARA.name);

    // Someone ticks a checklist box in GitLab; Amara is added to the APAC schedule; the audit runs again.
    const edited = (first.description ?? "").replace(
      "- [ ] Run the audit against PagerDuty",
      "- [x] Run the audit against PagerDuty",
    );
    expect(edited).not.toBe(first.description);
    await gitlab.editDescription(first.iid, edited);
    await demo.changePagerDuty(addToApacSchedule(AMARA.name));
    await overview.runAudit();

    // Still on the same page: until the new preview arrives, the one read before is not offered.
    let releasePreview = () => {};
    const previewHeld = new Promise<void>((resolve) => (releasePreview = resolve));
    await page.route("**/api/audits/*/export", async (route) => {
      if (route.request().method() === "GET") await previewHeld;
      await route.fallback();
    });
    await overview.exportButton.click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toHaveAccessibleName("Update the audit issue");
    await expect(dialog.getByRole("button", { name: "Update issue" })).toBeDisabled();
    await expect(dialog.getByLabel("Issue description")).toHaveCount(0);
    releasePreview();
    await expect(dialog.getByLabel("Issue description")).toContainText(
      "- [x] Run the audit against PagerDuty",
    );
    await expect(dialog.getByLabel("Issue description")).not.toContainText(AMARA.name);
    await dialog.getByRole("button", { name: "Update issue" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Issue updated:/ })).toBeVisible();

    const updated = await theAuditIssue(gitlab);
    expect(updated.iid).toBe(first.iid);
    const description = updated.description ?? "";
    const notes = sectionOf(description, NOTES);
    expect(notes).toContain("#### PagerDuty audit findings");
    expect(notes, "Amara's finding was fixed by the re-run").not.toContain(AMARA.name);
    expect(notes).not.toBe(sectionOf(first.description ?? "", NOTES));
    expect(description.split("<!-- pagerduty-audit:notes:start -->")).toHaveLength(2);
    expect(outsideNotes(description), "the rest of the issue is kept as edited").toBe(outsideNotes(edited));
  });

  test("a ping from the UI is a comment on the issue that mentions the person, linked from their timeline", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    await overview.gotoFindings();
    await new FindingsPage(page).openPerson(AMARA.name);
    await expect(page.getByText(`@${AMARA.gitlab}`, { exact: true })).toBeVisible();

    const person = new PersonPage(page);
    await person.ping();

    const issue = await theAuditIssue(gitlab);
    expect(issue.notes).toHaveLength(1);
    const [comment] = issue.notes;
    expect(comment?.author).toBe(AUDIT_BOT_USERNAME);
    expect(comment?.body).toContain(`**${AMARA.name}** @${AMARA.gitlab}\n- [ ] `);
    const pinged = person.timelineEntry("Pinged");
    await expect(pinged).toHaveCount(1);
    await expect(pinged.getByRole("link", { name: "comment on the issue" })).toHaveAttribute(
      "href",
      new RegExp(`/-/issues/${issue.iid}#note_${comment?.id}$`),
    );
  });

  test("a ping before the audit issue exists is refused with 'Export to issue'; once exported, the comment is previewed with a note and posted as shown", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await overview.gotoFindings();
    await new FindingsPage(page).openPerson(AMARA.name);
    await expect(page.getByText(/which does not exist yet/)).toBeVisible();

    const person = new PersonPage(page);
    await page.getByRole("button", { name: /^Ping/ }).click();
    const dialog = person.chaseDialog;
    await expect(
      dialog.getByText("Export the audit to its GitLab issue first: pings are posted there."),
    ).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Send" })).toBeDisabled();

    await dialog.getByRole("button", { name: "Export to issue" }).click();
    await page.getByRole("button", { name: "Create issue" }).click();
    // The export's dialog closes; the ping's stays open and reads the comment again.
    await expect(page.getByRole("dialog")).toHaveCount(1);
    const preview = await person.chasePreview("Please fix this before Friday");
    await expect(preview).toContainText(`**${AMARA.name}** @${AMARA.gitlab}`);
    await expect(preview).toContainText("> Please fix this before Friday");
    const shown = await preview.textContent();
    await dialog.getByRole("button", { name: "Send" }).click();
    await expect(person.status("Pinged")).toBeVisible();

    const issue = await theAuditIssue(gitlab);
    expect(issue.notes).toHaveLength(1);
    // What GitLab shows is the preview; after it, the claim's marker, an HTML comment GitLab does not render.
    const body = issue.notes[0]?.body ?? "";
    expect(body).toMatch(/\n\n<!-- pagerduty-audit:claim:[0-9a-f]{64} -->$/);
    expect(body.replace(/\n\n<!-- pagerduty-audit:claim:[0-9a-f]{64} -->/g, "")).toBe(shown);
  });

  test("a reply on the issue shows as replied in the person's timeline after 'Check replies'", async ({
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
    await expect(person.timelineEntry("Reply received")).toHaveCount(0);

    const issue = await theAuditIssue(gitlab);
    const replyId = await gitlab.reply(
      issue.iid,
      AMARA.gitlab,
      "Thanks, I was on the old APAC event only. Adding myself to the current one today.",
    );

    await overview.gotoFindings();
    await expect(await findings.checkReplies()).toHaveText("1 new reply on the issue.");
    await findings.openPerson(AMARA.name);
    const replied = person.timelineEntry("Reply received");
    await expect(replied).toHaveCount(1);
    await expect(replied).toContainText(`from ${AMARA.name} (@${AMARA.gitlab})`);
    await expect(replied).toContainText("Thanks, I was on the old APAC event only.");
    await expect(replied.getByRole("link", { name: "comment on the issue" })).toHaveAttribute(
      "href",
      new RegExp(`/-/issues/${issue.iid}#note_${replyId}$`),
    );
  });
});

test.describe("signing off the audit issue", () => {
  test.use({ role: "opsManager" });

  test("the Support Operations Manager's sign-off comments on and closes the issue; the audit is then read-only", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();
    await overview.exportToIssue();

    const signOff = new SignOffPage(page);
    await signOff.goto();
    const auditApi = signOff.auditApiPath();
    await signOff.signOff("Open items are tracked in the Q4 onboarding epic.");
    const fingerprint = page.getByText(/^[0-9a-f]{64}$/);
    await expect(fingerprint).toBeVisible();

    const issue = await theAuditIssue(gitlab);
    expect(issue.state).toBe("closed");
    expect(issue.notes).toHaveLength(1);
    const closing = issue.notes[0]?.body ?? "";
    expect(closing).toContain("**Signed off** by Sofia Reyes");
    expect(closing).toContain("Open items are tracked in the Q4 onboarding epic.");
    expect(closing).toContain(`\`${await fingerprint.textContent()}\``);

    // Read-only: the controls are gone, and the server refuses the export they would have sent.
    await overview.goto();
    await expect(overview.issueLink).toBeVisible();
    await expect(overview.exportButton).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Run audit" })).toHaveCount(0);
    const refused = await postFromPage(page, `${auditApi}/export`, {});
    expect(refused.status()).toBe(409);
    expect(await theAuditIssue(gitlab)).toEqual(issue);
  });
});
