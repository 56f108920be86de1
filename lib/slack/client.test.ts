import { afterEach, describe, expect, it } from "vitest";

import { readEnv } from "@/lib/env";
import { rejectedAppError } from "@/lib/testing/errors";
import { SANDBOX_BOT_TOKEN, sandboxSlackState } from "@/sandbox/slack/seed";
import { startSlackSandbox } from "@/sandbox/slack/server";
import type { SlackSandbox, SlackSandboxOptions } from "@/sandbox/slack/types";
import {
  createSlackClient,
  LOST_ANSWER_WINDOW_MS,
  mayHaveBeenPosted,
  slackClientFromEnv,
  type SlackClient,
  type SlackClientOptions,
} from "./client";

/** The client against the sandbox Slack over real HTTP: the two agree on Slack's shapes and errors. */

let sandbox: SlackSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

interface Setup {
  s: SlackSandbox;
  client: SlackClient;
  /** Every wait the client asked for, in ms. */
  waits: number[];
}

async function setup(
  clientOptions: Partial<SlackClientOptions> = {},
  sandboxOptions: SlackSandboxOptions = {},
): Promise<Setup> {
  sandbox = await startSlackSandbox(sandboxSlackState(), sandboxOptions);
  const waits: number[] = [];
  const client = createSlackClient({
    token: SANDBOX_BOT_TOKEN,
    apiUrl: sandbox.apiUrl,
    retryBaseMs: 1,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...clientOptions,
  });
  return { s: sandbox, client, waits };
}

describe("Slack client", () => {
  it("opens a DM, posts in it, links the post and finds it again by its marker", async () => {
    const { s, client } = await setup();
    const channel = await client.openDm(["U0SOM"]);
    expect(await client.openDm(["U0SOM"])).toBe(channel);
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Escalation*" } }];
    const posted = await client.postMessage(channel, "Escalation for Alice [audit:42:escalate]", blocks);
    expect(posted).toEqual({ channel, ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(s.messages(channel)).toEqual([
      expect.objectContaining({ ts: posted.ts, text: "Escalation for Alice [audit:42:escalate]", blocks }),
    ]);
    expect(await client.permalink(channel, posted.ts)).toBe(
      `https://workspace.slack.sandbox.example/archives/${channel}/p${posted.ts.replace(".", "")}`,
    );
    expect(await client.findRecentMessage(channel, "[audit:42:escalate]")).toEqual({
      channel,
      ts: posted.ts,
      text: "Escalation for Alice [audit:42:escalate]",
    });
    expect(await client.findRecentMessage(channel, "[audit:43:escalate]")).toBeNull();
  });

  it("opens a group DM for several people", async () => {
    const { s, client } = await setup();
    s.setTokenScopes(SANDBOX_BOT_TOKEN, ["mpim:write"]);
    expect(await client.openDm(["U0ALICE", "U0BRUNO"])).toMatch(/^G/);
  });

  it("finds people by email and by id, null for an unknown email", async () => {
    const { client } = await setup();
    const alice = {
      id: "U0ALICE",
      name: "anakamura",
      realName: "Alice Nakamura",
      email: "anakamura@example.com",
      tz: "Asia/Tokyo",
      deleted: false,
      isBot: false,
    };
    expect(await client.findUserByEmail("anakamura@example.com")).toEqual(alice);
    expect(await client.findUserByEmail("nobody@example.com")).toBeNull();
    expect(await client.userById("U0ALICE")).toEqual(alice);
    expect(await client.userById("U0GONE")).toMatchObject({ deleted: true });
    const unknown = await rejectedAppError(client.userById("U0NOBODY"));
    expect([unknown.code, unknown.message]).toEqual([
      "upstream:slack",
      "Slack has no user U0NOBODY (users.info).",
    ]);
  });

  it("says what is wrong with the token, naming SLACK_BOT_TOKEN, and never shows it", async () => {
    const seeded = sandboxSlackState();
    seeded.tokens.push({ token: "xoxb-revoked", scopes: [], state: "revoked" });
    seeded.tokens.push({ token: "xoxb-gone", scopes: [], state: "inactive" });
    sandbox = await startSlackSandbox(seeded);
    const cases = [
      ["", "no token was sent: set SLACK_BOT_TOKEN"],
      ["xoxb-wrong", "the token is not valid: check that SLACK_BOT_TOKEN is the app's bot token"],
      ["xoxb-revoked", "the token was revoked"],
      ["xoxb-gone", "deactivated app or workspace"],
    ] as const;
    for (const [token, says] of cases) {
      const client = createSlackClient({ token, apiUrl: sandbox.apiUrl });
      const error = await rejectedAppError(client.postMessage("C0SUPPORT", "hi"));
      expect(error.code).toBe("upstream:slack");
      expect(error.message).toContain(
        "Slack refused the dashboard's token (SLACK_BOT_TOKEN) for chat.postMessage",
      );
      expect(error.message).toContain(says);
      if (token !== "") expect(error.message).not.toContain(token);
      expect(mayHaveBeenPosted(error)).toBe(false);
    }
  });

  it("names the scope Slack says is missing, from its answer", async () => {
    const { s, client } = await setup();
    s.setTokenScopes(SANDBOX_BOT_TOKEN, ["chat:write", "users:read"]);
    const error = await rejectedAppError(client.findUserByEmail("som@example.com"));
    expect(error.message).toBe(
      "SLACK_BOT_TOKEN lacks the `users:read.email` scope that users.lookupByEmail needs (it has: chat:write,users:read). Add `users:read.email` to the Slack app's bot token scopes, reinstall the app, and put the new token in SLACK_BOT_TOKEN.",
    );
    const dm = await rejectedAppError(client.openDm(["U0SOM"]));
    expect(dm.message).toContain("lacks the `im:write` scope that conversations.open needs");
  });

  it("words Slack's refusals of a post so a person knows what to do", async () => {
    const { client } = await setup();
    const cases = [
      ["C0NOPE", "hi", "Slack has no conversation C0NOPE the app can see (chat.postMessage)"],
      [
        "C0OUTSIDE",
        "hi",
        "The Slack app is not a member of C0OUTSIDE (chat.postMessage): invite the app to it.",
      ],
      ["C0ARCHIVED", "hi", "The Slack conversation C0ARCHIVED is archived"],
      [
        "C0SUPPORT",
        "x".repeat(40_001),
        "The message is too long for Slack (40001 characters; Slack takes at most 40000).",
      ],
    ] as const;
    for (const [channel, text, says] of cases) {
      const error = await rejectedAppError(client.postMessage(channel, text));
      expect(error.code).toBe("upstream:slack");
      expect(error.message).toContain(says);
      expect(mayHaveBeenPosted(error)).toBe(false);
    }
    const disabled = await rejectedAppError(client.openDm(["U0GONE"]));
    expect(disabled.message).toContain("The Slack account U0GONE is deactivated");
  });

  it("waits out a 429 for exactly Retry-After and posts once", async () => {
    const { s, client, waits } = await setup();
    const channel = await client.openDm(["U0ALICE"]);
    s.failNext("chat.postMessage", { kind: "429", retryAfter: 3 }, { kind: "429", retryAfter: 1 });
    await client.postMessage(channel, "after two 429s");
    expect(waits).toEqual([3000, 1000]);
    expect(s.messages(channel).map((m) => m.text)).toEqual(["after two 429s"]);
    expect(s.stats().byMethod["chat.postMessage"]).toBe(3);
  });

  it("waits out a 429 on a read too, and gives up after its waits with a rate-limit message", async () => {
    const { s, client, waits } = await setup({ rateLimitWaits: 2 });
    s.failNext("users.info", { kind: "429", retryAfter: 2 });
    expect(await client.userById("U0SOM")).toMatchObject({ id: "U0SOM" });
    s.failNext("users.info", ...Array.from({ length: 3 }, () => ({ kind: "429" as const, retryAfter: 1 })));
    const error = await rejectedAppError(client.userById("U0SOM"));
    expect(error.message).toBe(
      "Slack kept rate-limiting users.info (U0SOM) (it asked to wait 1 s); try again later.",
    );
    expect(waits).toEqual([2000, 1000, 1000]);
    expect(mayHaveBeenPosted(error)).toBe(false);
  });

  it("fails a 429 without Retry-After at once, as rate-limited (nothing was posted)", async () => {
    const { s, client, waits } = await setup();
    s.failNext("chat.postMessage", { kind: "429", retryAfter: null });
    const error = await rejectedAppError(client.postMessage("C0SUPPORT", "hi"));
    expect(error.message).toBe(
      "Slack rate-limited chat.postMessage (C0SUPPORT) without saying how long to wait; try again later.",
    );
    expect(mayHaveBeenPosted(error)).toBe(false);
    expect(waits).toEqual([]);
    expect(s.messages("C0SUPPORT")).toEqual([]);
  });

  it("does not wait for a Retry-After longer than a minute: it fails at once", async () => {
    const { s, client, waits } = await setup();
    s.failNext("users.info", { kind: "429", retryAfter: 3600 });
    const error = await rejectedAppError(client.userById("U0SOM"));
    expect(error.message).toContain("it asked to wait 3600 s");
    expect(waits).toEqual([]);
  });

  it("meets Slack's one post a second per channel by waiting, not by failing", async () => {
    const { s, client, waits } = await setup({ sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    const channel = await client.openDm(["U0ALICE"]);
    await client.postMessage(channel, "first");
    await client.postMessage(channel, "second");
    expect(s.messages(channel).map((m) => m.text)).toEqual(["first", "second"]);
    expect(waits).toEqual([]);
    expect(s.stats().postsRateLimited).toBe(1);
  });

  it("retries a read after a 5xx or a dropped connection", async () => {
    const { s, client } = await setup();
    s.failNext("users.info", { kind: "5xx", status: 503 }, { kind: "drop" });
    expect(await client.userById("U0SOM")).toMatchObject({ id: "U0SOM" });
    expect(s.stats().byMethod["users.info"]).toBe(3);
  });

  it("gives a read up after its retries with Slack's HTTP status", async () => {
    const { s, client } = await setup({ readRetries: 1 });
    s.failNext("users.info", { kind: "5xx", status: 502 }, { kind: "5xx", status: 502 });
    const error = await rejectedAppError(client.userById("U0SOM"));
    expect(error.message).toBe("Slack answered HTTP 502 to users.info (U0SOM).");
  });

  // The sandbox's 5xx refuses before posting; Slack's may come after, so the client cannot tell either.
  it.each([
    [
      "a dropped connection",
      { kind: "drop" as const },
      "Slack chat.postMessage (D…) failed (network error).",
      1,
    ],
    [
      "an answer cut off midway",
      { kind: "truncate" as const },
      "Slack's answer to chat.postMessage (D…) broke off.",
      1,
    ],
    ["a 5xx", { kind: "5xx" as const, status: 500 }, "Slack answered HTTP 500 to chat.postMessage (D…).", 0],
  ])(
    "never posts twice: after %s it fails, saying the message may have been posted",
    async (_, fault, says, landed) => {
      const { s, client } = await setup();
      const channel = await client.openDm(["U0SOM"]);
      s.failNext("chat.postMessage", fault);
      const error = await rejectedAppError(client.postMessage(channel, "Escalation [audit:7:escalate]"));
      expect(error.message).toBe(
        `${says.replace("D…", channel)} The message may have been posted; it was not sent again.`,
      );
      expect(mayHaveBeenPosted(error)).toBe(true);
      expect(s.stats().byMethod["chat.postMessage"]).toBe(1);
      // What the chase's Slack channel does next: look for the marker instead of posting again.
      const messages = s.messages(channel);
      expect(messages).toHaveLength(landed);
      const found = await client.findRecentMessage(channel, "[audit:7:escalate]");
      expect(found).toEqual(landed === 1 ? expect.objectContaining({ ts: messages[0]?.ts }) : null);
    },
  );

  it("times a hung post out (one real wait) and does not send it again", async () => {
    const { s, client } = await setup({ timeoutMs: 300 });
    const channel = await client.openDm(["U0SOM"]);
    s.failNext("chat.postMessage", { kind: "hang", ms: 5_000 });
    const started = performance.now();
    const error = await rejectedAppError(client.postMessage(channel, "slow [audit:8:ping]"));
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2_000);
    expect(error.message).toBe(
      `Slack chat.postMessage (${channel}) timed out after 300 ms. The message may have been posted; it was not sent again.`,
    );
    expect(mayHaveBeenPosted(error)).toBe(true);
    expect(await client.findRecentMessage(channel, "[audit:8:ping]")).toMatchObject({ channel });
    expect(s.stats().byMethod["chat.postMessage"]).toBe(1);
  });

  it("finds only the bot's own messages with the marker, within the window", async () => {
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const { s, client } = await setup({ now: () => clock }, { now: () => clock });
    const channel = await client.openDm(["U0SOM"]);
    await client.postMessage(channel, "old [audit:1:escalate]");
    clock += LOST_ANSWER_WINDOW_MS + 1000;
    s.postAs(channel, "U0SOM", "quoting you: [audit:1:escalate]");
    expect(await client.findRecentMessage(channel, "[audit:1:escalate]")).toBeNull();
    expect(
      await client.findRecentMessage(channel, "[audit:1:escalate]", { withinMs: 2 * LOST_ANSWER_WINDOW_MS }),
    ).toMatchObject({
      text: "old [audit:1:escalate]",
    });
    const again = await client.postMessage(channel, "again [audit:1:escalate]");
    expect(await client.findRecentMessage(channel, "[audit:1:escalate]")).toMatchObject({ ts: again.ts });
  });

  it("looks past the first page of history", async () => {
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const { s, client } = await setup({ now: () => clock }, { now: () => clock });
    const channel = await client.openDm(["U0SOM"]);
    const mine = await client.postMessage(channel, "mine [audit:9:ping]");
    for (let i = 0; i < 150; i++) s.postAs(channel, "U0SOM", `reply ${i}`);
    clock += 1000;
    expect(await client.findRecentMessage(channel, "[audit:9:ping]")).toMatchObject({ ts: mine.ts });
    expect(s.stats().byMethod["conversations.history"]).toBe(2);
  });

  it("is built from the environment, and only with a token", async () => {
    sandbox = await startSlackSandbox(sandboxSlackState());
    expect(slackClientFromEnv(readEnv({}))).toBeNull();
    const client = slackClientFromEnv(
      readEnv({ SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN, SLACK_API_URL: sandbox.apiUrl }),
    );
    expect(await client?.userById("U0SOM")).toMatchObject({ id: "U0SOM" });
  });
});
