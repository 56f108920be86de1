import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_BOT_TOKEN, sandboxSlackState } from "./seed";
import { startSlackSandbox } from "./server";
import type { SlackSandbox, SlackSandboxOptions } from "./types";

/** The sandbox Slack over real HTTP: what a Slack Web API client would see. */

let sandbox: SlackSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(options: SlackSandboxOptions = {}): Promise<SlackSandbox> {
  sandbox = await startSlackSandbox(sandboxSlackState(), options);
  return sandbox;
}

type Args = Record<string, string>;

/** A Web API call as Slack's SDKs make it: POST, form-encoded, the token as a Bearer header. */
function form(s: SlackSandbox, method: string, args: Args = {}, token: string | null = SANDBOX_BOT_TOKEN) {
  return fetch(`${s.apiUrl}${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: new URLSearchParams(args).toString(),
  });
}

async function formJson(s: SlackSandbox, method: string, args: Args = {}, token?: string | null) {
  const response = await form(s, method, args, token);
  return (await response.json()) as Record<string, unknown>;
}

const control = (s: SlackSandbox, path: string, body?: unknown) =>
  fetch(`${s.url}/__sandbox/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function openDm(s: SlackSandbox, user: string): Promise<string> {
  const opened = await formJson(s, "conversations.open", { users: user });
  return (opened.channel as { id: string }).id;
}

describe("sandbox Slack", () => {
  it("refuses a call without a token, a wrong one, a revoked one, with HTTP 200 and ok:false", async () => {
    const seeded = sandboxSlackState();
    seeded.tokens.push({ token: "xoxb-revoked", scopes: ["chat:write"], state: "revoked" });
    seeded.tokens.push({ token: "xoxb-gone", scopes: ["chat:write"], state: "inactive" });
    sandbox = await startSlackSandbox(seeded);
    for (const [token, error] of [
      [null, "not_authed"],
      ["xoxb-wrong", "invalid_auth"],
      ["xoxb-revoked", "token_revoked"],
      ["xoxb-gone", "account_inactive"],
    ] as const) {
      const response = await form(sandbox, "auth.test", {}, token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: false, error });
    }
  });

  it("takes the token as a form parameter too, and a JSON body with a Bearer header", async () => {
    const s = await start();
    const byParam = await formJson(s, "auth.test", { token: SANDBOX_BOT_TOKEN }, null);
    expect(byParam).toMatchObject({
      ok: true,
      user_id: "U0AUDITBOT",
      bot_id: "B0AUDITBOT",
      team_id: "T0SANDBOX",
    });
    const channel = await openDm(s, "U0ALICE");
    const response = await fetch(`${s.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        authorization: `Bearer ${SANDBOX_BOT_TOKEN}`,
      },
      body: JSON.stringify({
        channel,
        text: "hi",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
      }),
    });
    expect(await response.json()).toMatchObject({
      ok: true,
      channel,
      message: { text: "hi", blocks: [{ type: "section" }] },
    });
  });

  it("answers missing_scope with what is needed and what the token has", async () => {
    const s = await start();
    s.setTokenScopes(SANDBOX_BOT_TOKEN, ["users:read"]);
    const response = await form(s, "chat.postMessage", { channel: "C0SUPPORT", text: "hi" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-oauth-scopes")).toBe("users:read");
    expect(await response.json()).toEqual({
      ok: false,
      error: "missing_scope",
      needed: "chat:write",
      provided: "users:read",
    });
    expect(await formJson(s, "users.lookupByEmail", { email: "som@example.com" })).toMatchObject({
      error: "missing_scope",
      needed: "users:read.email",
    });
    expect(await formJson(s, "conversations.open", { users: "U0ALICE" })).toMatchObject({
      needed: "im:write",
    });
    expect(await formJson(s, "conversations.open", { users: "U0ALICE,U0BRUNO" })).toMatchObject({
      needed: "mpim:write",
    });
    expect(await formJson(s, "conversations.history", { channel: "C0SUPPORT" })).toMatchObject({
      needed: "channels:history",
    });
    // Scopes can be set over HTTP too.
    await control(s, "tokens", { token: SANDBOX_BOT_TOKEN, scopes: ["chat:write"] });
    expect(await formJson(s, "chat.postMessage", { channel: "C0SUPPORT", text: "hi" })).toMatchObject({
      ok: true,
    });
  });

  it("opens one DM per person and says so when it is already open", async () => {
    const s = await start();
    const first = await formJson(s, "conversations.open", { users: "U0ALICE" });
    expect(first).toEqual({ ok: true, channel: { id: expect.stringMatching(/^D/) } });
    const again = await formJson(s, "conversations.open", { users: "U0ALICE", return_im: "true" });
    expect(again).toMatchObject({
      ok: true,
      no_op: true,
      already_open: true,
      channel: { id: (first.channel as { id: string }).id, is_im: true, user: "U0ALICE" },
    });
    expect(await formJson(s, "conversations.open", { users: "U0NOBODY" })).toEqual({
      ok: false,
      error: "user_not_found",
    });
    expect(await formJson(s, "conversations.open", { users: "U0GONE" })).toEqual({
      ok: false,
      error: "user_disabled",
    });
    expect(await formJson(s, "conversations.open", {})).toEqual({
      ok: false,
      error: "users_list_not_supplied",
    });
  });

  it("posts with Slack's answer, keeps the message for the control route and links it", async () => {
    const s = await start();
    const channel = await openDm(s, "U0SOM");
    const posted = await formJson(s, "chat.postMessage", { channel, text: "Ping <@U0SOM> [audit:abc]" });
    expect(posted).toMatchObject({
      ok: true,
      channel,
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
      message: {
        type: "message",
        user: "U0AUDITBOT",
        bot_id: "B0AUDITBOT",
        text: "Ping <@U0SOM> [audit:abc]",
      },
    });
    const ts = posted.ts as string;
    const sent = await (await control(s, `messages?channel=${channel}`)).json();
    expect(sent).toEqual([
      expect.objectContaining({ ts, text: "Ping <@U0SOM> [audit:abc]", bot_id: "B0AUDITBOT" }),
    ]);
    expect(await formJson(s, "chat.getPermalink", { channel, message_ts: ts })).toEqual({
      ok: true,
      channel,
      permalink: `https://workspace.slack.sandbox.example/archives/${channel}/p${ts.replace(".", "")}`,
    });
    expect(await formJson(s, "chat.getPermalink", { channel, message_ts: "1.000001" })).toEqual({
      ok: false,
      error: "message_not_found",
    });
  });

  it("refuses posts Slack refuses", async () => {
    const s = await start();
    const cases: [Args, string][] = [
      [{ channel: "C0NOPE", text: "x" }, "channel_not_found"],
      [{ channel: "C0OUTSIDE", text: "x" }, "not_in_channel"],
      [{ channel: "C0ARCHIVED", text: "x" }, "is_archived"],
      [{ channel: "C0SUPPORT", text: "x".repeat(40_001) }, "msg_too_long"],
      [{ channel: "C0SUPPORT" }, "no_text"],
      [{ channel: "C0SUPPORT", text: "x", blocks: "{not json" }, "invalid_blocks"],
    ];
    for (const [args, error] of cases) {
      expect(await formJson(s, "chat.postMessage", args), error).toEqual({ ok: false, error });
    }
    expect(s.messages("C0SUPPORT")).toEqual([]);
  });

  it("holds chat.postMessage to one message per second per channel with 429 and Retry-After", async () => {
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const s = await start({ now: () => clock });
    const a = await openDm(s, "U0ALICE");
    const b = await openDm(s, "U0BRUNO");
    expect((await form(s, "chat.postMessage", { channel: a, text: "1" })).status).toBe(200);
    const limited = await form(s, "chat.postMessage", { channel: a, text: "2" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toEqual({ ok: false, error: "ratelimited" });
    // Another channel has its own second.
    expect((await form(s, "chat.postMessage", { channel: b, text: "1" })).status).toBe(200);
    clock += 1000;
    expect((await form(s, "chat.postMessage", { channel: a, text: "2" })).status).toBe(200);
    expect(s.messages(a).map((m) => m.text)).toEqual(["1", "2"]);
    expect(s.stats().postsRateLimited).toBe(1);
  });

  it("finds users by email (any case) and by id, the email only for users:read.email", async () => {
    const s = await start();
    const found = await formJson(s, "users.lookupByEmail", { email: "ANakamura@Example.com" });
    expect(found).toMatchObject({
      ok: true,
      user: {
        id: "U0ALICE",
        name: "anakamura",
        real_name: "Alice Nakamura",
        tz: "Asia/Tokyo",
        tz_label: "Japan Standard Time",
        tz_offset: 32_400,
        profile: { email: "anakamura@example.com" },
      },
    });
    expect(await formJson(s, "users.lookupByEmail", { email: "nobody@example.com" })).toEqual({
      ok: false,
      error: "users_not_found",
    });
    expect(await formJson(s, "users.info", { user: "U0NOBODY" })).toEqual({
      ok: false,
      error: "user_not_found",
    });
    const withEmail = await formJson(s, "users.info", { user: "U0SOM" });
    expect(withEmail).toMatchObject({ user: { id: "U0SOM", profile: { email: "som@example.com" } } });
    s.setTokenScopes(SANDBOX_BOT_TOKEN, ["users:read"]);
    const withoutEmail = (await formJson(s, "users.info", { user: "U0SOM" })).user as { profile: object };
    expect(withoutEmail.profile).not.toHaveProperty("email");
  });

  it("seeds users over the control route", async () => {
    const s = await start();
    const seeded = await control(s, "users", {
      users: [{ id: "U0DANA", name: "dana", email: "dana@example.com", tz: "Europe/Berlin" }],
    });
    expect(seeded.status).toBe(200);
    expect(await formJson(s, "users.lookupByEmail", { email: "dana@example.com" })).toMatchObject({
      user: { id: "U0DANA", tz: "Europe/Berlin" },
    });
    expect((await control(s, "users", { users: [{ id: "U0X" }] })).status).toBe(400);
  });

  it("reads history newest first, within oldest/latest, a page at a time", async () => {
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const s = await start({ now: () => clock });
    const channel = await openDm(s, "U0ALICE");
    const stamps: string[] = [];
    for (const text of ["one", "two", "three"]) {
      stamps.push((await formJson(s, "chat.postMessage", { channel, text })).ts as string);
      clock += 1000;
    }
    s.postAs(channel, "U0ALICE", "a reply");
    const all = await formJson(s, "conversations.history", { channel });
    expect((all.messages as { text: string }[]).map((m) => m.text)).toEqual([
      "a reply",
      "three",
      "two",
      "one",
    ]);
    expect(all.messages).toContainEqual(expect.not.objectContaining({ bot_id: expect.anything() }));
    const window = await formJson(s, "conversations.history", {
      channel,
      oldest: stamps[0] ?? "",
      latest: stamps[2] ?? "",
    });
    expect((window.messages as { text: string }[]).map((m) => m.text)).toEqual(["two"]);
    const first = await formJson(s, "conversations.history", { channel, limit: "2" });
    expect(first).toMatchObject({ has_more: true, response_metadata: { next_cursor: expect.any(String) } });
    const cursor = (first.response_metadata as { next_cursor: string }).next_cursor;
    const second = await formJson(s, "conversations.history", { channel, limit: "2", cursor });
    expect((second.messages as { text: string }[]).map((m) => m.text)).toEqual(["two", "one"]);
    expect(second).toMatchObject({ has_more: false, response_metadata: { next_cursor: "" } });
    expect(await formJson(s, "conversations.history", { channel: "C0OUTSIDE" })).toMatchObject({
      error: "missing_scope",
    });
  });

  it("meets queued faults per method: 429 and 5xx refuse, hang and drop lose the answer after posting", async () => {
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const s = await start({ now: () => clock });
    const channel = await openDm(s, "U0ALICE");
    await control(s, "faults", {
      method: "chat.postMessage",
      faults: [
        { kind: "429", retryAfter: 7 },
        { kind: "5xx", status: 503 },
      ],
    });
    const limited = await form(s, "chat.postMessage", { channel, text: "a" });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await form(s, "chat.postMessage", { channel, text: "b" })).status).toBe(503);
    s.failNext("chat.postMessage", { kind: "429", retryAfter: null });
    const bare = await form(s, "chat.postMessage", { channel, text: "c" });
    expect([bare.status, bare.headers.get("retry-after")]).toEqual([429, null]);
    expect(s.messages(channel)).toEqual([]);
    // Other methods are not affected by a method's faults.
    expect(await formJson(s, "auth.test")).toMatchObject({ ok: true });

    s.failNext("chat.postMessage", { kind: "drop" });
    await expect(form(s, "chat.postMessage", { channel, text: "dropped" })).rejects.toThrow();
    clock += 1000;
    s.failNext("chat.postMessage", { kind: "hang", ms: 5_000 });
    const hung = form(s, "chat.postMessage", { channel, text: "hung" });
    const timedOut = await Promise.race([
      hung.then(
        () => "answered",
        () => "failed",
      ),
      sleep(300).then(() => "waiting"),
    ]);
    expect(timedOut).toBe("waiting");
    expect(s.messages(channel).map((m) => m.text)).toEqual(["dropped", "hung"]);
    await s.stop();
    sandbox = undefined;
    expect(
      await hung.then(
        () => "answered",
        () => "failed",
      ),
    ).toBe("failed");
  });

  it("cuts an answer off midway with a truncate fault, after posting", async () => {
    const s = await start();
    const channel = await openDm(s, "U0ALICE");
    s.failNext("chat.postMessage", { kind: "truncate" });
    const response = await form(s, "chat.postMessage", { channel, text: "cut" });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(s.messages(channel).map((m) => m.text)).toEqual(["cut"]);
    expect(s.stats().byStatus).toMatchObject({ truncate: 1 });
  });

  it("answers an unknown method 404 unknown_method, and reset forgets posts", async () => {
    const s = await start();
    const response = await form(s, "chat.nothing");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ ok: false, error: "unknown_method" });
    const channel = await openDm(s, "U0ALICE");
    await formJson(s, "chat.postMessage", { channel, text: "x" });
    await control(s, "reset", {});
    expect(s.state().channels.find((c) => c.id === channel)).toBeUndefined();
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
