import { describe, expect, it } from "vitest";
import * as z from "zod";

import { AppError } from "@/lib/errors";
import type { RateLimiter } from "@/lib/http/rate-limit";
import type { RequestEvent, RetryEvent } from "@/lib/http/request";
import {
  ACCEPT_HEADER,
  createRequester,
  describeErrorBody,
  V3_ACCEPT_HEADER,
  V3_EARLY_ACCESS,
  UNREACHABLE_CODE,
} from "@/lib/pagerduty/request";
import { rejectedAppError } from "@/lib/testing/errors";
import { closedPort } from "@/lib/testing/net";

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
  const retries: RetryEvent[] = [];
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
    onRetry: (event) => retries.push(event),
  });
  return { requester, calls: script.calls, sleeps, events, retries };
}

/** What undici's fetch throws when it cannot connect: a TypeError whose cause carries the system code. */
function networkError(code: string, message = `connect ${code}`): TypeError {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });
}

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

const NGINX_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const PROXY_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>api.pagerduty.com | 502: Bad gateway</title><style>body { font-family: sans-serif; }</style><script>window.x = "<b>not this</b>";</script></head><body><h1>Bad gateway</h1>${"<p>The web server reported a bad gateway error.</p>".repeat(2_000)}</body></html>`;

describe("describeErrorBody", () => {
  it.each<{ shape: string; status: number; body: string; detail: string }>([
    {
      shape: "the v2 envelope {error:{message,code,errors[]}}",
      status: 400,
      body: '{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Limit must be below 100"]}}',
      detail: "Invalid Input Provided; Limit must be below 100",
    },
    {
      shape: "an array under error (change events)",
      status: 400,
      body: '{"error":["links should have at most 50 item(s)"]}',
      detail: "links should have at most 50 item(s)",
    },
    {
      shape: "v3's field map inside error (OpenAPI V3ErrorResponse)",
      status: 400,
      body: '{"error":{"message":"Invalid Request","code":2001,"errors":{"event.effective_since":["Date cannot be more than 12 months in the future"]}}}',
      detail: "Invalid Request; event.effective_since: Date cannot be more than 12 months in the future",
    },
    {
      shape: "a field map at the top {errors:{field:[…]}}",
      status: 422,
      body: '{"errors":{"name":["can\'t be blank","is too long"]}}',
      detail: "name: can't be blank, is too long",
    },
    {
      shape: "message and errors at the top (events API)",
      status: 400,
      body: '{"status":"invalid event","message":"Event object is invalid","errors":["\'payload.source\' is missing or blank"]}',
      detail: "Event object is invalid; 'payload.source' is missing or blank",
    },
    {
      shape: "a plain string under error",
      status: 400,
      body: '{"error":"This is a layer-based schedule. Use the v2 Schedules API to access it."}',
      detail: "This is a layer-based schedule. Use the v2 Schedules API to access it",
    },
    {
      shape: "errors as one string",
      status: 400,
      body: '{"error":{"message":"Invalid Override","code":2001,"errors":"Override must end in the future"}}',
      detail: "Invalid Override; Override must end in the future",
    },
    {
      shape: "errors as objects with messages",
      status: 400,
      body: '{"error":{"message":"Unable to convert","errors":[{"rule_id":"R1","position":0,"messages":["A rule has both time frames"]}]}}',
      detail: "Unable to convert; A rule has both time frames",
    },
    {
      shape: "a proxy's HTML page: its title, not the page",
      status: 502,
      body: PROXY_PAGE,
      detail: "api.pagerduty.com | 502: Bad gateway",
    },
    {
      shape: "HTML without a title: its first text",
      status: 503,
      body: "<html><body><center><h1>Down for maintenance &amp; upgrades</h1></center><hr><center>nginx</center></body></html>",
      detail: "Down for maintenance & upgrades",
    },
    {
      shape: "nginx's page, which only repeats the status",
      status: 502,
      body: NGINX_502,
      detail: "",
    },
    {
      shape: "plain text after a status line",
      status: 401,
      body: "401 Unauthorized: this API token has been revoked.\n",
      detail: "this API token has been revoked",
    },
    {
      shape: "plain text over lines",
      status: 503,
      body: "upstream connect error or disconnect/reset before headers.\n  reset reason: connection termination\n",
      detail:
        "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
    },
    { shape: "a bare status line", status: 503, body: "503 Bad Gateway\n", detail: "" },
    {
      shape: "text that starts with another number",
      status: 400,
      body: '{"error":{"message":"100 schedules at most: ask for fewer"}}',
      detail: "100 schedules at most: ask for fewer",
    },
    {
      shape: "a title with character references, some out of range",
      status: 503,
      body: "<title>Back at 10&#58;00 &#x1F600; &#99999999; &bogus;</title>",
      detail: "Back at 10:00 😀 &#99999999; &bogus;",
    },
    {
      shape: "a message that is the status's own phrase",
      status: 404,
      body: '{"error":{"message":"Not Found","code":2100}}',
      detail: "",
    },
    { shape: "JSON without any message", status: 500, body: '{"ok":false,"code":5}', detail: "" },
    { shape: "an empty body", status: 500, body: "", detail: "" },
  ])("$shape", ({ status, body, detail }) => {
    expect(describeErrorBody(body, status)).toBe(detail);
  });

  it("keeps at most 300 characters of a long text", () => {
    const detail = describeErrorBody(`${"word ".repeat(5_000)}`, 500);
    expect(detail.length).toBeLessThanOrEqual(300);
    expect(detail).toMatch(/^word word .*…$/);
  });
});

describe("error messages from error bodies", () => {
  it.each([
    {
      status: 400,
      body: '{"error":["limit is too large"]}',
      type: "application/json",
      text: "limit is too large",
    },
    {
      status: 400,
      body: '{"error":{"message":"Invalid Request","code":2001,"errors":{"since":["is invalid"]}}}',
      type: "application/json",
      text: "Invalid Request; since: is invalid",
    },
    {
      status: 403,
      body: '{"error":"Access denied for this account"}',
      type: "application/json",
      text: "Access denied for this account",
    },
    { status: 502, body: PROXY_PAGE, type: "text/html", text: "api.pagerduty.com | 502: Bad gateway" },
    {
      status: 503,
      body: `maintenance window ${"until later ".repeat(80)}`,
      type: "text/plain",
      text: "maintenance window until later",
    },
  ])(
    "a $status answer keeps its text, the status and the request, in at most 300 characters",
    async ({ status, body, type, text }) => {
      const { requester } = setup([new Response(body, { status, headers: { "content-type": type } })], {
        maxRetries: 0,
      });
      const error = await rejectedAppError(requester.get("/v3/schedules/PABC123", { schema: OkSchema }));
      expect(error.message).toContain(`PagerDuty answered ${status} `);
      expect(error.message).toContain("to GET /v3/schedules/PABC123: ");
      expect(error.message).toContain(text);
      expect(error.message.length).toBeLessThanOrEqual(300);
      expect(error.message).not.toContain("<");
    },
  );

  it.each([
    {
      what: "an HTML title",
      body: `<html><head><title>Denied: ${TOKEN}</title></head></html>`,
      type: "text/html",
    },
    { what: "plain text", body: `token ${TOKEN} is not valid here`, type: "text/plain" },
    {
      what: "an array under error",
      body: JSON.stringify({ error: [`bad token ${TOKEN}`] }),
      type: "application/json",
    },
    {
      what: "a v3 field map",
      body: JSON.stringify({ errors: { token: [TOKEN] } }),
      type: "application/json",
    },
  ])("never lets the token through $what", async ({ body, type }) => {
    const { requester } = setup([new Response(body, { status: 403, headers: { "content-type": type } })]);
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).toContain("[redacted]");
  });
});

describe("headers by API version", () => {
  it("sends the v2 vendor Accept on v2 paths, and application/json with the early-access flag on v3 schedule paths", async () => {
    const { requester, calls } = setup([json(200, { ok: true })]);
    await requester.get("/schedules/PABC123", { schema: OkSchema });
    await requester.get("/v3/schedules", { schema: OkSchema });
    await requester.get("/v3/schedules/PXYZ789", { schema: OkSchema });
    const [v2, v3List, v3One] = calls.map((c) => Object.fromEntries(c.headers.entries()));
    expect(v2).toEqual({ authorization: `Token token=${TOKEN}`, accept: ACCEPT_HEADER });
    const v3 = {
      authorization: `Token token=${TOKEN}`,
      accept: V3_ACCEPT_HEADER,
      "x-early-access": V3_EARLY_ACCESS,
    };
    expect(v3List).toEqual(v3);
    expect(v3One).toEqual(v3);
    expect(V3_ACCEPT_HEADER).toBe("application/json");
    expect(V3_EARLY_ACCESS).toBe("flexible-schedules-early-access");
  });
});

describe("a host that is not there", () => {
  it("fails at once on a refused connection, naming the host and the cause", async () => {
    const port = await closedPort();
    const requester = createRequester({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      concurrency: 4,
      requestsPerMinute: 1_000,
      timeoutMs: 5_000,
      rateLimiter: NO_LIMIT,
    });
    const started = performance.now();
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    const elapsedMs = performance.now() - started;
    expect(error.code).toBe(UNREACHABLE_CODE);
    expect(error.message).toBe(
      `Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED). Check the PagerDuty URL and the network.`,
    );
    // Five retries with back-off would take seconds; the bound leaves room for a loaded machine.
    expect(elapsedMs).toBeLessThan(3_000);
    expect(requester.requestCount()).toBe(1);
  });

  it.each([
    { code: "ENOTFOUND", cause: "no such host", calls: 1 },
    { code: "ECONNREFUSED", cause: "connection refused", calls: 1 },
    { code: "EAI_AGAIN", cause: "DNS lookup failed for now", calls: 2 },
    { code: "EHOSTUNREACH", cause: "no route to the host", calls: 2 },
  ])("$code: $calls attempt(s), then an error naming the host", async ({ code, cause, calls }) => {
    const { requester, calls: sent, retries } = setup([networkError(code)], { maxRetries: 5 });
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.message).toBe(
      `Cannot reach pd.example.test: ${cause} (${code}). Check the PagerDuty URL and the network.`,
    );
    expect(sent).toHaveLength(calls);
    expect(retries.map((r) => `${r.attempt} of ${r.attempts}`)).toEqual(calls === 2 ? ["2 of 2"] : []);
  });

  it("finds the code under an AggregateError (several addresses tried)", async () => {
    const both = new TypeError("fetch failed", {
      cause: Object.assign(
        new AggregateError([networkError("ECONNREFUSED").cause, networkError("ECONNREFUSED").cause]),
        {
          code: "ECONNREFUSED",
        },
      ),
    });
    const { requester, calls } = setup([both]);
    const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(error.message).toContain("connection refused (ECONNREFUSED)");
    expect(calls).toHaveLength(1);
  });

  it.each(["ECONNRESET", "UND_ERR_SOCKET"])(
    "still retries a connection that breaks (%s), and says so",
    async (code) => {
      const { requester, calls, retries } = setup([networkError(code)], { maxRetries: 2 });
      const error = await rejectedAppError(requester.get("/users", { schema: OkSchema }));
      expect(calls).toHaveLength(3);
      expect(retries.map((r) => r.reason)).toEqual([code, code]);
      expect(error.message).toBe(`PagerDuty GET /users failed (network error: ${code}), after 2 retries.`);
    },
  );
});

describe("onRetry", () => {
  it("tells each retry before its wait: the request, why, which attempt of how many, and the wait", async () => {
    const timeoutError = Object.assign(new Error("aborted"), { name: "TimeoutError" });
    const { requester, retries, sleeps } = setup(
      [json(503, {}), timeoutError, json(429, {}, { "ratelimit-reset": "2" }), json(200, { ok: true })],
      { maxRetries: 5 },
    );
    await requester.get("/users", { schema: OkSchema });
    expect(retries).toEqual([
      { method: "GET", path: "/users", attempt: 2, attempts: 6, reason: "503", waitMs: sleeps[0] },
      { method: "GET", path: "/users", attempt: 3, attempts: 6, reason: "timeout", waitMs: sleeps[1] },
      { method: "GET", path: "/users", attempt: 4, attempts: 6, reason: "429", waitMs: 2_050 },
    ]);
  });

  it("is not called when the budget is spent", async () => {
    const { requester, retries } = setup([json(503, {})], { maxRetries: 1 });
    await rejectedAppError(requester.get("/users", { schema: OkSchema }));
    expect(retries.map((r) => r.attempt)).toEqual([2]);
  });
});
