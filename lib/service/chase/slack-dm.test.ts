import { afterEach, describe, expect, it } from "vitest";
import { roleOf } from "@/lib/auth/roles";
import type { RosterPerson } from "@/lib/roster/schema";
import { createSlackClient, type SlackClient } from "@/lib/slack/client";
import { rejectedAppError } from "@/lib/testing/errors";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import { SLACK_SANDBOX_TOKEN, slackWorkspaceState } from "@/sandbox/scenarios/slack-workspace";
import { startSlackSandbox } from "@/sandbox/slack/server";
import type { SlackSandbox } from "@/sandbox/slack/types";
import { findSlackRecipients, slackDmChannelOf, slackDmText } from "./slack-dm";

/** The demo org's roster, its Slack workspace in the sandbox, and a client of it. */
const scenario = generateDemoOrg({ now: new Date("2026-11-24T12:00:00Z") });
const roster: RosterPerson[] = scenario.roster;
const opsManagers = roster.filter((p) => roleOf(p, roster) === "ops_manager");

let sandbox: SlackSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup(
  state = slackWorkspaceState(scenario),
): Promise<{ s: SlackSandbox; client: SlackClient }> {
  sandbox = await startSlackSandbox(state);
  return {
    s: sandbox,
    client: createSlackClient({ token: SLACK_SANDBOX_TOKEN, apiUrl: sandbox.apiUrl, sleep: async () => {} }),
  };
}

describe("finding the Support Operations Managers on Slack", () => {
  it("finds each by email, or by the roster's slack.id when it has one", async () => {
    expect(opsManagers.length).toBeGreaterThan(0);
    const { client } = await setup();
    const found = await findSlackRecipients(client, roster);
    expect(found.map((r) => [r.name, r.user.email])).toEqual(
      opsManagers.map((p) => [p.name, p.email.toLowerCase()]),
    );
    const withId = roster.map((p) =>
      p === opsManagers[0] ? { ...p, email: "changed@example.com", slack: { id: found[0]?.user.id } } : p,
    );
    expect((await findSlackRecipients(client, withId))[0]?.user.id).toBe(found[0]?.user.id);
  });

  it("refuses, naming the manager and what to fix, when one cannot be found or is deactivated", async () => {
    const state = slackWorkspaceState(scenario);
    const som = opsManagers[0] as RosterPerson;
    state.users = state.users.filter((u) => u.email !== som.email.toLowerCase());
    const { client } = await setup(state);
    const missing = await rejectedAppError(findSlackRecipients(client, roster));
    expect(missing.code).toBe("conflict:slack_recipient");
    expect(missing.message).toContain(
      `${som.name}: no Slack user has the email ${som.email}; set slack.id in their roster entry`,
    );

    const deactivated = slackWorkspaceState(scenario);
    for (const user of deactivated.users) if (user.email === som.email.toLowerCase()) user.deleted = true;
    await sandbox?.stop();
    const again = await setup(deactivated);
    const gone = await rejectedAppError(findSlackRecipients(again.client, roster));
    expect(gone.message).toMatch(new RegExp(`${som.name}: their Slack account \\(\\w+\\) is deactivated`));
  });

  it("refuses when the roster has no Support Operations Manager", async () => {
    const { client } = await setup();
    const error = await rejectedAppError(
      findSlackRecipients(
        client,
        roster.filter((p) => !opsManagers.includes(p)),
      ),
    );
    expect(error.code).toBe("conflict:slack_recipient");
  });
});

describe("the DM as a chase channel", () => {
  it("posts once in the managers' DM, with each person's reference, and links it", async () => {
    const { s, client } = await setup();
    const recipients = await findSlackRecipients(client, roster);
    const channel = await slackDmChannelOf(client, recipients);
    const url = await channel.post({ text: "Lukas Becker is unresolved", markers: ["a".repeat(64)] });
    expect(url).toMatch(/^https:\/\/.+\/archives\/[DG]\w+\/p\d+$/);
    const sent = s.state().channels.flatMap((c) => c.messages.map((m) => ({ channel: c, m })));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.channel.members).toEqual(expect.arrayContaining(recipients.map((r) => r.user.id)));
    expect(sent[0]?.m.text).toBe(`Lukas Becker is unresolved\n\n_ref ${"a".repeat(16)}_`);
  });

  it("finds a post whose answer was lost by its reference, so it is not posted again", async () => {
    const { s, client } = await setup();
    const channel = await slackDmChannelOf(client, await findSlackRecipients(client, roster));
    const since = new Date();
    s.failNext("chat.postMessage", { kind: "drop" });
    const marker = "b".repeat(64);
    const error = await channel.post({ text: "lost", markers: [marker] }).catch((e: unknown) => e);
    expect(channel.mayHaveBeenPosted(error)).toBe(true);
    const found = await channel.findPosted([marker, "c".repeat(64)], since);
    expect([...found.keys()]).toEqual([marker]);
    expect(found.get(marker)).toMatch(/\/archives\//);
    expect(s.state().channels.flatMap((c) => c.messages)).toHaveLength(1);
  });
});

describe("the DM's text", () => {
  it("names each person with their manager, findings and escalation, and links the issue and dashboard", () => {
    expect(
      slackDmText({
        auditName: "FY27-Q3",
        issueUrl: "https://gitlab.example.com/audits/-/issues/7",
        dashboardUrl: "https://audit.example.com/audits/a1/findings",
        people: [
          {
            name: "Lukas Becker",
            manager: "Marcus Oyelaran",
            messages: ["Not on the EMEA schedule", "No contact methods"],
            escalationUrl: "https://gitlab.example.com/audits/-/issues/7#note_9",
          },
        ],
      }),
    ).toBe(
      [
        "*PagerDuty audit FY27-Q3*: 1 person has not resolved their findings since the escalation.",
        "• *Lukas Becker* (manager Marcus Oyelaran) · <https://gitlab.example.com/audits/-/issues/7#note_9|escalation>",
        "    ◦ Not on the EMEA schedule",
        "    ◦ No contact methods",
        "<https://gitlab.example.com/audits/-/issues/7|audit issue> · <https://audit.example.com/audits/a1/findings|findings in the dashboard>",
      ].join("\n"),
    );
  });

  it("writes a hostile name inert: no <!channel>, no link of its own", () => {
    const text = slackDmText({
      auditName: "FY27-Q3",
      issueUrl: null,
      dashboardUrl: null,
      people: [
        {
          name: "Zed <!channel> <https://evil.test|click>",
          manager: null,
          messages: ["a & b"],
          escalationUrl: null,
        },
      ],
    });
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil.test");
    expect(text).toContain("Zed &lt;!channel&gt; &lt;https://evil.test|click&gt;");
    expect(text).toContain("a &amp; b");
  });
});
