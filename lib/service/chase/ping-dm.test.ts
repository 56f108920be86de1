/**
 * The courtesy DM at ping time (config `slack.dm_on_ping`), over the sandbox GitLab and the sandbox Slack:
 * the person pinged gets one DM pointing at the ping's comment; someone Slack cannot find is a warning for
 * whoever pinged, and the ping stands; without the option, nobody is DMed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackClient } from "@/lib/slack/client";
import { createGitLabTestContext, type GitLabTestContext, openRunAndExport } from "@/lib/testing/app-context";
import { SLACK_SANDBOX_TOKEN, slackWorkspaceState } from "@/sandbox/scenarios/slack-workspace";
import { startSlackSandbox } from "@/sandbox/slack/server";
import type { SlackSandbox } from "@/sandbox/slack/types";
import type { AppContext } from "../context";
import { queryPeople } from "../findings";
import { actOnItems } from "../item-actions";
import { pingDmText } from "./ping-dm";

const START = new Date("2026-11-24T12:00:00Z");

describe("the Slack DM at ping time", () => {
  let t: GitLabTestContext;
  let slack: SlackSandbox;
  let ctx: AppContext;
  let auditId: string;
  let dmOnPing = true;
  /** A person with findings whom the Slack workspace does not have. */
  let offSlack: { personKey: string; name: string };

  beforeAll(async () => {
    t = await createGitLabTestContext(START);
    const base = await t.ctx.loadConfig();
    let client: ReturnType<typeof createSlackClient> | null = null;
    ctx = {
      ...t.ctx,
      createSlackClient: () => client,
      loadConfig: async () => ({ ...base, slack: { dm_on_ping: dmOnPing } }),
    };
    auditId = await openRunAndExport(ctx);
    const { rows } = await queryPeople(ctx, auditId, {});
    const row = rows.find((r) => r.owner === null && !/^(Amara|Lukas)/.test(r.name));
    if (!row) throw new Error("the demo org has more people with findings");
    offSlack = { personKey: row.personKey, name: row.name };
    const email = t.scenario.roster.find((p) => p.name === row.name)?.email.toLowerCase();
    const state = slackWorkspaceState(t.scenario);
    state.users = state.users.filter((u) => u.email !== email);
    slack = await startSlackSandbox(state);
    client = createSlackClient({ token: SLACK_SANDBOX_TOKEN, apiUrl: slack.apiUrl });
  });
  afterAll(async () => {
    await t.close();
    await slack.stop();
  });

  const dms = () =>
    slack
      .state()
      .channels.filter((c) => c.kind === "im")
      .flatMap((c) => c.messages.map((m) => ({ members: c.members, text: m.text })));
  const personKeyOf = async (q: string) => {
    const row = (await queryPeople(ctx, auditId, { q })).rows[0];
    if (!row) throw new Error(`the demo org has ${q}`);
    return row.personKey;
  };

  it("DMs the person pinged once, pointing at the ping's comment", async () => {
    const amara = await personKeyOf("Amara");
    const outcome = await actOnItems(ctx, {
      auditId,
      personKey: amara,
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    expect(outcome.warnings).toEqual([]);
    const sent = dms();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toMatch(
      /^Hi Amara Okafor, the PagerDuty audit FY27-Q3 needs (one fix|\d+ fixes) from you:/,
    );
    expect(sent[0]?.text).toMatch(/<https:\/\/[^|>]+#note_\d+\|the ping on the audit issue>/);
    const user = slack.state().users.find((u) => u.real_name === "Amara Okafor");
    expect(sent[0]?.members).toContain(user?.id);
  });

  it("pings someone Slack cannot find all the same, and says the DM was not sent", async () => {
    const before = dms().length;
    const outcome = await actOnItems(ctx, {
      auditId,
      personKey: offSlack.personKey,
      action: { type: "ping" },
      actor: "Theo Marsh",
    });
    expect(outcome.applied).toBeGreaterThan(0);
    expect(outcome.warnings).toEqual([
      `The Slack DM to ${offSlack.name} about their ping was not sent: no Slack user has their roster email ` +
        `(${offSlack.personKey}); set slack.id in their roster entry.`,
    ]);
    expect(dms()).toHaveLength(before);
  });

  it("DMs nobody without the option", async () => {
    dmOnPing = false;
    const before = dms().length;
    const lukas = await personKeyOf("Lukas");
    await actOnItems(ctx, { auditId, personKey: lukas, action: { type: "ping" }, actor: "Theo Marsh" });
    expect(dms()).toHaveLength(before);
  });

  it("writes names and findings inert", () => {
    const text = pingDmText({
      personName: "Zed <!channel>",
      auditName: "FY27-Q3",
      messages: ["a <b> & c"],
      commentUrl: "https://gitlab.example.com/a/-/issues/1#note_2",
    });
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("a &lt;b&gt; &amp; c");
  });
});
