import { describe, expect, it } from "vitest";
import { z } from "zod";

import { AppError } from "@/lib/errors";
import type { RateLimiter } from "@/lib/pagerduty/rate-limit";
import {
  ACCEPT_HEADER,
  computeBackoffMs,
  computeRateLimitWaitMs,
  createRequester,
  parseRateLimitWaitMs,
  type RequestEvent,
} from "@/lib/pagerduty/request";
import { rejectedAppError } from "@/lib/testing/errors";

const TOKEN = "u+secret-token-123";
const OkSchema = z.looseObject({ ok: z.literal(true) });

const NO_LIMIT: RateLimiter = {
  acquire: async () => undefined,
  pauseFor: () => undefined,
  inWindow: () => 0,
};

type Reply = Response | Error | (() => Response | Error);

/** A fetch that answers from a script, one reply per call, recording what it was asked. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: URL; headers: Headers }[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: new URL(String(input)), headers: new Headers(init?.headers) });
    const next = replies[Math.min(calls.length - 1, replies.length - 1)];
    const reply = typeof next === "function" ? next() : next;
    if (reply === undefined) throw new Error("script ran out");
    if (reply instanceof Error) throw reply;
    return reply.clone();
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function setup(replies: Reply[], overrides: { maxRetries?: number; random?: () => number } = {}) {
  const script = scriptedFetch(replies);
  const sleeps: number[] = [];
  const events: RequestEvent[] = [];
  const requester = createRequester({
    baseUrl: "https://pd.example.test/",
    token: TOKEN,
    concurrency: 4,
    requestsPerMinute: 1_000,
    timeoutMs: 1_000,
    maxRetries: overrides.maxRetries ?? 3,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    rateLimiter: NO_LIMIT,
    fetch: script.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: overrides.random ?? (() => 0.5),
    onRequest: (event) => events.push(event),
  });
  return { requester, calls: script.calls, sleeps, events };
}

describe("computeBackoffMs", () => {
  it.each([
    { attempt: 0, random: 0, expected: 50 },
    { attempt: 0, random: 1, expected: 100 },
    { attempt: 1, random: 0, expected: 100 },
    { attempt: 3, random: 0.5, expected: 600 },
    { attempt: 4, random: 0, expected: 500 },
    { attempt: 10, random: 1, expected: 1_000 },
  ])("attempt $attempt with random $random waits $expected ms", ({ attempt, random, expected }) => {
    expect(computeBackoffMs(attempt, { baseMs: 100, maxMs: 1_000 }, () => random)).toBe(expected);
  });
});

describe("parseRateLimitWaitMs", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each<{ headers: Record<string, string>; expected: number | null }>([
    { headers: {}, expected: null },
    { headers: { "ratelimit-reset": "3" }, expected: 3_000 },
    { headers: { "ratelimit-reset": "0.5" }, expected: 500 },
    { headers: { "ratelimit-reset": "soon" }, expected: null },
    { headers: { "retry-after": "7" }, expected: 7_000 },
    { headers: { "retry-after": "Thu, 01 Jan 2026 00:00:12 GMT" }, expected: 12_000 },
    { headers: { "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }, expected: 0 },
    { headers: { "ratelimit-reset": "2", "retry-after": "9" }, expected: 9_000 },
    { headers: { "ratelimit-reset": "40", "retry-after": "9" }, expected: 40_000 },
    { headers: { "ratelimit-reset": "86400" }, expected: 120_000 },
  ])("$headers → $expected", ({ headers, expected }) => {
    expect(parseRateLimitWaitMs(new Headers(headers), now)).toBe(expected);
  });

  it("adds jitter to the server's wait, and backs off exponentially without one", () => {
    const settings = { baseMs: 100, maxMs: 1_000 };
    const withReset = new Headers({ "ratelimit-reset": "2" });
    expect(computeRateLimitWaitMs(withReset, 0, settings, () => 0.5, 0)).toBe(2_050);
    expect(computeRateLimitWaitMs(new Headers(), 2, settings, () => 0, 0)).toBe(200);
  });
});

describe("createRequester", () => {
  it("sends the token, the v2 Accept header and the query (arrays repeated)", async () => {
    const { requester, calls } = setup([json(200, { ok: true })]);
    await requester.get("/users", {
      query: {
        "include[]": ["contact_methods", "notification_rules"],
        limit: 100,
        total: true,
        skip: undefined,
      },
      schema: OkSchema,
    });
    const call = calls[0];
    expect(call?.url.pathname).toBe("/users");
    expect(call?.url.searchParams.getAll("include[]")).toEqual(["contact_methods", "notification_rules"]);
    expect(call?.url.searchParams.get("limit")).toBe("100");
    expect(call?.url.searchParams.get("total")).toBe("true");
    expect(call?.url.searchParams.has("skip")).toBe(false);
    expect(call?.headers.get("authorization")).toBe(`Token token=${TOKEN}`);
    expect(call?.headers.get("accept")).toBe(ACCEPT_HEADER);
  });

  it.each([
    { status: 400, code: "invalid:pagerduty" },
    { status: 401, code: "unauthorized:pagerduty" },
    { status: 403, code: "forbidden:pagerduty" },
    { status: 404, code: "not_found:pagerduty" },
    { status: 409, code: "upstream:pagerduty" },
  ])("does not retry $status; it becomes $code", async ({ status, code }) => {
    const { requester, calls, sleeps } = setup([json(status, { error: { message: "Nope", code: 2000 } })]);
    const error = await rejectedAppError(requester.get("/schedules/PABC123", { schema: OkSchema }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(`${status}`);
    expect(error.message).toContain("GET /schedules/PABC123");
    expect(error.message).toContain("Nope");
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("reads a non-JSON 401 and never puts the token in the message", async () => {
    const { requester } = setup([
      new Response(`<html>bad token ${TOKEN}</html>`, {
        status: 401,
        headers: { "content-type": "text/html" },
      }),
    ]);
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.code).toBe("unauthorized:pagerduty");
    expect(error.message).toMatch(/401 Unauthorized to GET \/users/);
    expect(error.message).not.toContain(TOKEN);
  });

  it("sends nothing more once the token is refused, not even a retry already scheduled", async () => {
    // One call is retrying a 503 when another meets the 401; then a third call comes.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const script = scriptedFetch([
      json(503, { error: { message: "busy" } }),
      json(401, { error: { message: "Authentication failed", code: 2006 } }),
      json(200, { ok: true }),
    ]);
    const requester = createRequester({
      baseUrl: "https://pd.example.test",
      token: TOKEN,
      concurrency: 4,
      requestsPerMinute: 1_000,
      timeoutMs: 1_000,
      rateLimiter: NO_LIMIT,
      fetch: script.fetch,
      sleep: () => held,
    });
    const retrying = rejectedAppError(requester.get("/users", { schema: OkSchema }));
    const refused = await rejectedAppError(requester.get("/schedules/P1", { schema: OkSchema }));
    expect(refused.code).toBe("unauthorized:pagerduty");
    release();
    const later = await rejectedAppError(requester.get("/users/P2", { schema: OkSchema }));
    expect((await retrying).code).toBe("unauthorized:pagerduty");
    expect(later).toBe(refused);
    expect(script.calls.map((c) => c.url.pathname)).toEqual(["/users", "/schedules/P1"]);
    expect(requester.requestCount()).toBe(2);
  });

  it("redacts the token when PagerDuty echoes it in an error message", async () => {
    const { requester } = setup([json(400, { error: { message: `bad filter ${TOKEN}` } })]);
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.message).toContain("[redacted]");
    expect(error.message).not.toContain(TOKEN);
  });

  const timeout = () =>
    Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
  const truncated = () => new Response('{"ok": tr', { status: 200 });

  it.each([
    { what: "500", failure: () => json(500, {}), code: "upstream:pagerduty" },
    { what: "502", failure: () => json(502, {}), code: "upstream:pagerduty" },
    { what: "503", failure: () => json(503, {}), code: "upstream:pagerduty" },
    { what: "504", failure: () => json(504, {}), code: "upstream:pagerduty" },
    { what: "408", failure: () => json(408, {}), code: "upstream:pagerduty" },
    { what: "a network error", failure: () => new TypeError("fetch failed"), code: "upstream:pagerduty" },
    { what: "a timeout", failure: timeout, code: "upstream:pagerduty" },
    { what: "a truncated body", failure: truncated, code: "upstream:pagerduty" },
    { what: "429", failure: () => json(429, {}), code: "rate_limited:pagerduty" },
  ])("retries $what, then succeeds", async ({ failure }) => {
    const { requester, calls, events } = setup([failure, failure, () => json(200, { ok: true })]);
    await expect(requester.get("/users", { schema: OkSchema })).resolves.toEqual({ ok: true });
    expect(calls).toHaveLength(3);
    expect(events.map((e) => e.outcome)).toEqual(["retryable", "retryable", "ok"]);
    expect(requester.requestCount()).toBe(3);
  });

  it.each([
    {
      what: "503",
      failure: () => json(503, {}),
      code: "upstream:pagerduty",
      text: "503 Service Unavailable",
    },
    { what: "a timeout", failure: timeout, code: "upstream:pagerduty", text: "timed out after 1000 ms" },
    { what: "a truncated body", failure: truncated, code: "upstream:pagerduty", text: "not valid JSON" },
    {
      what: "429",
      failure: () => json(429, {}),
      code: "rate_limited:pagerduty",
      text: "429 Too Many Requests",
    },
  ])("gives up on $what after the retry budget, as $code", async ({ failure, code, text }) => {
    const { requester, calls, sleeps } = setup([failure], { maxRetries: 3 });
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
    expect(error.message).toContain("GET /users");
    expect(calls).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it("backs off exponentially between retries, capped", async () => {
    const { requester, sleeps } = setup([json(503, {})], { maxRetries: 6, random: () => 1 });
    await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(sleeps).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("waits what ratelimit-reset asks (plus jitter) after a 429", async () => {
    const { requester, sleeps } = setup([
      json(429, {}, { "ratelimit-reset": "2" }),
      json(429, {}, { "retry-after": "3" }),
      json(200, { ok: true }),
    ]);
    await requester.get("/users", { schema: OkSchema });
    expect(sleeps).toEqual([2_050, 3_050]);
  });

  it("pauses the token's limiter after a 429, so other requests wait too", async () => {
    const paused: number[] = [];
    const script = scriptedFetch([json(429, {}, { "ratelimit-reset": "1" }), json(200, { ok: true })]);
    const requester = createRequester({
      baseUrl: "https://pd.example.test",
      token: TOKEN,
      concurrency: 1,
      requestsPerMinute: 10,
      timeoutMs: 1_000,
      rateLimiter: { ...NO_LIMIT, pauseFor: (ms) => paused.push(ms) },
      fetch: script.fetch,
      sleep: async () => undefined,
      random: () => 0,
    });
    await requester.get("/users", { schema: OkSchema });
    expect(paused).toEqual([1_000]);
  });

  it("does not retry a response that fails validation", async () => {
    const { requester, calls } = setup([json(200, { users: "not a list" })]);
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.code).toBe("upstream:pagerduty");
    expect(error.message).toMatch(/unexpected response shape \(ok: /);
    expect(calls).toHaveLength(1);
  });

  it("stops before sending when the caller aborts", async () => {
    const { requester, calls } = setup([json(200, { ok: true })]);
    const controller = new AbortController();
    controller.abort(new AppError("unauthorized:pagerduty", "token rejected"));
    await expect(requester.get("/users", { schema: OkSchema, signal: controller.signal })).rejects.toThrow(
      "token rejected",
    );
    expect(calls).toHaveLength(0);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const requester = createRequester({
      baseUrl: "https://pd.example.test",
      token: TOKEN,
      concurrency: 3,
      requestsPerMinute: 1_000,
      timeoutMs: 1_000,
      rateLimiter: NO_LIMIT,
      fetch: (async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return json(200, { ok: true });
      }) as typeof fetch,
    });
    await Promise.all(Array.from({ length: 12 }, () => requester.get("/users", { schema: OkSchema })));
    expect(most).toBe(3);
    expect(requester.requestCount()).toBe(12);
  });
});
