import { ErrorCode, LogLevel, WebClient, type WebClientOptions } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";

import { SANDBOX_BOT_TOKEN, sandboxSlackState } from "@/sandbox/slack/seed";
import { startSlackSandbox } from "@/sandbox/slack/server";
import type { SlackSandbox } from "@/sandbox/slack/types";

/**
 * What Slack's own client (`WebClient` of @slack/web-api) does on 429, 5xx and lost answers, measured
 * against the sandbox over real HTTP: the facts `client.ts` is configured from. If an upgrade changes one
 * of them, this file says which.
 */

let sandbox: SlackSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

/** Retries without back-off, so the counts show and the tests stay fast. */
const NO_BACKOFF = { retries: 3, minTimeout: 0, maxTimeout: 0 };

async function setup(options: WebClientOptions = {}) {
  sandbox = await startSlackSandbox(sandboxSlackState(), { postsPerSecond: 100 });
  const client = new WebClient(SANDBOX_BOT_TOKEN, {
    slackApiUrl: sandbox.apiUrl,
    logger: silentLogger(),
    ...options,
  });
  const opened = await client.conversations.open({ users: "U0ALICE" });
  const channel = opened.channel?.id ?? "";
  return { s: sandbox, client, channel };
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

const postCalls = (s: SlackSandbox) => s.stats().byMethod["chat.postMessage"] ?? 0;

describe("WebClient (@slack/web-api) against the sandbox", () => {
  it("waits Retry-After on a 429, then adds its retry policy's back-off: 1 s asked, 2-3 s waited by default", async () => {
    const { s, client, channel } = await setup();
    s.failNext("chat.postMessage", { kind: "429", retryAfter: 1 });
    const { result, ms } = await timed(() => client.chat.postMessage({ channel, text: "after a 429" }));
    expect(result.ok).toBe(true);
    expect(postCalls(s)).toBe(2);
    // Default policy (10 retries, minTimeout 1 s, randomize): the 1 s sleep, then p-retry's 1-2 s.
    expect(ms).toBeGreaterThanOrEqual(1000 + 1000);
    // Measured 2.07-2.47 s over three runs; the margin is for a loaded machine, not for the library.
    expect(ms).toBeLessThan(1000 + 2000 + 1000);
  });

  it("waits exactly Retry-After on a 429 when the policy has no back-off of its own", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF });
    s.failNext("users.info", { kind: "429", retryAfter: 1 });
    const { result, ms } = await timed(() => client.users.info({ user: "U0SOM" }));
    expect(result.user?.id).toBe("U0SOM");
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(1500);
    expect(s.stats().byMethod["users.info"]).toBe(2);
    expect(channel).toMatch(/^D/);
  });

  it("rejects a 429 at once with rejectRateLimitedCalls, carrying Retry-After, and sends nothing more", async () => {
    const { s, client, channel } = await setup({ rejectRateLimitedCalls: true, retryConfig: NO_BACKOFF });
    s.failNext("chat.postMessage", { kind: "429", retryAfter: 30 });
    const { result, ms } = await timed(() =>
      client.chat.postMessage({ channel, text: "x" }).then(
        () => null,
        (error: unknown) => error,
      ),
    );
    expect(result).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 30 });
    expect(ms).toBeLessThan(500);
    expect(postCalls(s)).toBe(1);
  });

  it("gives a 429 without Retry-After up at once, with a plain Error (not one of its coded errors)", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF });
    s.failNext("chat.postMessage", { kind: "429", retryAfter: null });
    const error = await client.chat.postMessage({ channel, text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toHaveProperty("code");
    expect((error as Error).message).toMatch(/^Retry header did not contain a valid timeout/);
    expect(postCalls(s)).toBe(1);
  });

  it("retries a 5xx, chat.postMessage included, up to its retries, then rejects with the HTTP error", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF });
    s.failNext("chat.postMessage", { kind: "5xx", status: 503 });
    await client.chat.postMessage({ channel, text: "after a 503" });
    expect(postCalls(s)).toBe(2);
    s.failNext(
      "chat.postMessage",
      ...Array.from({ length: 4 }, () => ({ kind: "5xx" as const, status: 500 })),
    );
    const error = await client.chat.postMessage({ channel, text: "never" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    expect(postCalls(s)).toBe(2 + 4);
  });

  it("posts twice when the answer to chat.postMessage is lost: it retries a dropped connection blindly", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF });
    s.failNext("chat.postMessage", { kind: "drop" });
    await client.chat.postMessage({ channel, text: "once, I hoped" });
    expect(s.messages(channel).map((m) => m.text)).toEqual(["once, I hoped", "once, I hoped"]);
  });

  it("posts twice when chat.postMessage times out, for the same reason", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF, timeout: 200 });
    s.failNext("chat.postMessage", { kind: "hang", ms: 5_000 });
    await client.chat.postMessage({ channel, text: "slow" });
    expect(s.messages(channel).map((m) => m.text)).toEqual(["slow", "slow"]);
  });

  it("does not retry an answer cut off midway: the body is read outside its retry loop, and the error is not Slack's", async () => {
    const { s, client, channel } = await setup({ retryConfig: NO_BACKOFF });
    s.failNext("chat.postMessage", { kind: "truncate" });
    const error = await client.chat.postMessage({ channel, text: "cut" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toHaveProperty("code");
    expect(postCalls(s)).toBe(1);
    expect(s.messages(channel)).toHaveLength(1);
  });

  it("never retries ok:false: it rejects with the platform error and Slack's answer", async () => {
    const { s, client } = await setup({ retryConfig: NO_BACKOFF });
    s.setTokenScopes(SANDBOX_BOT_TOKEN, ["users:read"]);
    const error = await client.chat.postMessage({ channel: "C0SUPPORT", text: "x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: "missing_scope", needed: "chat:write", provided: "users:read" },
    });
    expect(postCalls(s)).toBe(1);
  });

  it("sends form-encoded POSTs with the token as a Bearer header, so the sandbox sees what Slack sees", async () => {
    const { client } = await setup();
    // A wrong token is refused by the header alone (the sandbox would take a `token` parameter too).
    const wrong = new WebClient("xoxb-wrong", { slackApiUrl: client.slackApiUrl, logger: silentLogger() });
    const error = await wrong.auth.test().catch((e: unknown) => e);
    expect(error).toMatchObject({ data: { error: "invalid_auth" } });
  });
});

function silentLogger() {
  const noop = () => undefined;
  return {
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    setLevel: noop,
    getLevel: () => LogLevel.ERROR,
    setName: noop,
  };
}
