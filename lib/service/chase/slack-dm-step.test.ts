/**
 * The chase's DM step with a Slack token, over the sandbox GitLab and the sandbox Slack: the DM reaches the
 * Support Operations Manager once however many click, names the person with their findings and escalation,
 * and its permalink is what the timeline links; a manager Slack cannot find stops it with nothing recorded;
 * autopilot sends the due DMs itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listEvents, listItems } from "@/lib/db/queries";
import { createSlackClient } from "@/lib/slack/client";
import { createGitLabTestContext, type GitLabTestContext, openRunAndExport } from "@/lib/testing/app-context";
import { rejectedAppError } from "@/lib/testing/errors";
import { SLACK_SANDBOX_TOKEN, slackWorkspaceState } from "@/sandbox/scenarios/slack-workspace";
import { startSlackSandbox } from "@/sandbox/slack/server";
import type { SlackSandbox } from "@/sandbox/slack/types";
import { runChaseAutopilot, setAutopilot } from "../autopilot/chase";
import type { AppContext } from "../context";
import { queryPeople } from "../findings";
import { actOnItems, bulkAct } from "../item-actions";

const START = new Date("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;
const APP_URL = "https://audit.example.com";

describe("the Slack DM step", () => {
  let t: GitLabTestContext;
  let slack: SlackSandbox;
  let ctx: AppContext;
  let auditId: string;
  let amara: string;

  beforeAll(async () => {
    t = await createGitLabTestContext(START);
    slack = await startSlackSandbox(slackWorkspaceState(t.scenario));
    // Real waits: Slack takes one post a second per conversation, and the client waits out its 429.
    const client = createSlackClient({ token: SLACK_SANDBOX_TOKEN, apiUrl: slack.apiUrl });
    ctx = { ...t.ctx, createSlackClient: () => client, appUrl: APP_URL };
    auditId = await openRunAndExport(ctx);
    await bulkAct(ctx, { auditId, action: "ping", actor: "Theo Marsh" });
    ctx.clock.advance(73 * HOUR);
    await bulkAct(ctx, { auditId, action: "escalate", actor: "Theo Marsh" });
    ctx.clock.advance(73 * HOUR);
    const row = (await queryPeople(ctx, auditId, { q: "Amara" })).rows[0];
    if (!row) throw new Error("the demo org has Amara Okafor");
    amara = row.personKey;
  });
  afterAll(async () => {
    await t.close();
    await slack.stop();
  });
  afterEach(() => {
    ctx.createSlackClient = () => createSlackClient({ token: SLACK_SANDBOX_TOKEN, apiUrl: slack.apiUrl });
  });

  const sent = () => slack.state().channels.flatMap((c) => c.messages.map((m) => ({ channel: c.id, ...m })));

  it("is refused, with nothing recorded, when the Support Operations Manager is not on Slack", async () => {
    const som = t.scenario.roster.find((p) => p.title === "Support Operations Manager");
    const state = slackWorkspaceState(t.scenario);
    state.users = state.users.filter((u) => u.email !== som?.email.toLowerCase());
    const other = await startSlackSandbox(state);
    try {
      ctx.createSlackClient = () => createSlackClient({ token: SLACK_SANDBOX_TOKEN, apiUrl: other.apiUrl });
      const refused = await rejectedAppError(
        actOnItems(ctx, { auditId, personKey: amara, action: { type: "record_dm" }, actor: "Theo Marsh" }),
      );
      expect(refused.code).toBe("conflict:slack_recipient");
      expect(refused.message).toContain(`${som?.name}: no Slack user has the email`);
      const items = await listItems(ctx.db, auditId, { personKey: amara });
      expect(items.map((i) => i.state)).toEqual(items.map(() => "escalated"));
    } finally {
      await other.stop();
    }
  });

  it("sends one DM for a double click, naming the person, their findings and escalation, and links it", async () => {
    const results = await Promise.allSettled([
      actOnItems(ctx, { auditId, personKey: amara, action: { type: "record_dm" }, actor: "Theo Marsh" }),
      actOnItems(ctx, { auditId, personKey: amara, action: { type: "record_dm" }, actor: "Priya Nair" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const messages = sent();
    expect(messages).toHaveLength(1);
    const text = messages[0]?.text ?? "";
    expect(text).toContain("*PagerDuty audit FY27-Q3*: 1 person has not resolved");
    expect(text).toContain("*Amara Okafor*");
    expect(text).toMatch(/<https:\/\/[^|>]+#note_\d+\|escalation>/);
    expect(text).toContain(`<${APP_URL}/audits/${auditId}/findings|findings in the dashboard>`);
    const dm = (await listEvents(ctx.db, { auditId, personKey: amara })).filter(
      (e) => e.action === "record_dm",
    );
    expect(dm).toHaveLength((await listItems(ctx.db, auditId, { personKey: amara })).length);
    expect(dm[0]?.detail?.commentUrl).toMatch(/\/archives\/D\w+\/p\d+$/);
  });

  it("is sent by autopilot for everyone whose DM is due, once", async () => {
    await setAutopilot(ctx, { auditId, on: true, actor: "Theo Marsh" });
    const before = sent().length;
    const [a, b] = await Promise.all([runChaseAutopilot(ctx), runChaseAutopilot(ctx)]);
    const dms = (a?.dms["FY27-Q3"] ?? 0) + (b?.dms["FY27-Q3"] ?? 0);
    expect(dms).toBeGreaterThan(5);
    expect(sent().length - before).toBe(1);
    expect(sent().at(-1)?.text).toMatch(/\d+ people have not resolved their findings since the escalation/);
    const left = (await listItems(ctx.db, auditId)).filter((i) => i.state === "escalated");
    expect(left).toEqual([]);
  });
});
