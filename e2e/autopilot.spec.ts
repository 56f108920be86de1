import { FindingsPage } from "./pages/findings-page";
import { PersonPage } from "./pages/person-page";
import { expect, test } from "./fixtures";
import { readServers } from "./servers";

/** A demo-org engineer with a finding. */
const AMARA = "Amara Okafor";

test.describe("autopilot", () => {
  test.use({ role: "ops" });

  test("autopilot escalates on the audit issue and sends the Slack DM on its own, each linked in the timeline", async ({
    page,
    demo,
    gitlab,
    request,
  }) => {
    const servers = await readServers();
    const overview = await demo.freshAudit();
    await overview.exportToIssue();
    await overview.gotoFindings();
    await new FindingsPage(page).openPerson(AMARA);
    const person = new PersonPage(page);
    await person.ping();
    const personUrl = page.url();

    await overview.goto();
    await expect(page.getByText("Autopilot off", { exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Turn autopilot on" }).click();
    await expect(page.getByText("Autopilot on", { exact: true })).toBeVisible();
    const next = page.getByRole("list", { name: "What autopilot does next" });
    await expect(next).toContainText(`Escalates ${AMARA}'s`);
    // The escalation is for her manager, Priyanka Desai, in Sydney: said on the manager's clock.
    await expect(next).toContainText("Australia/Sydney their manager's time");

    // A week later the follow-up (72 hours of the working week) is due: the server escalates without a click.
    await demo.advanceClock(7 * 24);
    await expect
      .poll(
        async () =>
          (await gitlab.auditIssues())[0]?.notes?.some((n) =>
            n.body.startsWith("No reply to the pings linked under each person"),
          ) ?? false,
        { timeout: 20_000 },
      )
      .toBe(true);

    // A week after that, the Slack DM to the Support Operations Manager.
    await demo.advanceClock(7 * 24);
    const slackMessages = async () => {
      const response = await request.get(`${servers.slack}/__sandbox/messages`);
      const byChannel = (await response.json()) as Record<string, { text: string }[]>;
      return Object.values(byChannel).flat();
    };
    await expect
      .poll(async () => (await slackMessages()).some((m) => m.text.includes(`*${AMARA}*`)), {
        timeout: 20_000,
      })
      .toBe(true);
    expect((await slackMessages()).filter((m) => m.text.includes(`*${AMARA}*`))).toHaveLength(1);

    await page.goto(personUrl);
    const escalated = person.timelineEntry("Escalated to their manager and the Support Ops Manager");
    await expect(escalated).toContainText("by Autopilot");
    await expect(escalated.getByRole("link", { name: "comment on the issue" })).toBeVisible();
    const dm = person.timelineEntry("Slack DM sent to the Support Ops Manager");
    await expect(dm).toContainText("by Autopilot");
    await expect(dm.getByRole("link", { name: "message on Slack" })).toHaveAttribute("href", /\/archives\//);
  });
});
