import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";

import { AppError } from "@/lib/errors";
import { readErrorBody, messagesIn } from "@/lib/http/error-body";
import { createSlidingWindowLimiter, type RateLimiter } from "@/lib/http/rate-limit";
import {
  computeBackoffMs,
  computeRateLimitWaitMs,
  createHttpClient,
  parseRateLimitWaitMs,
  type HttpClientOptions,
  type HttpFailure,
} from "@/lib/http/request";
import { rejectedAppError } from "@/lib/testing/errors";
import { closedPort } from "@/lib/testing/net";

const TOKEN = "loopback-secret-42";
const OkSchema = z.looseObject({ ok: z.literal(true) });
/** A whole second, so an HTTP date (second resolution) lands exactly on it. */
const NOW = Date.parse("2026-03-01T12:00:00Z");

/** One scripted answer: status, headers and body; `hang` never answers (for timeouts). */
type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real HTTP server on loopback that answers from a script, one answer a request (the last repeats). */
let server: Server;
let baseUrl: string;
let script: Answer[];
let seen: Seen[];
let hanging: ServerResponse[];

beforeEach(async () => {
  script = [];
  seen = [];
  hanging = [];
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const answer = script[Math.min(seen.length - 1, script.length - 1)] ?? { status: 200, body: "{}" };
      if (answer === "hang") {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? { "content-type": "application/json" });
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterEach(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The failure behind an error thrown by the test client (its `toError` keeps it as the cause). */
function failureOf(error: AppError): HttpFailure {
  return error.cause as HttpFailure;
}

/** Reads `{error:{message}}`, `{message}` and the like, as an adapter's schema would. */
const readJson = (json: unknown) =>
  typeof json === "object" && json !== null
    ? messagesIn((json as Record<string, unknown>).error ?? (json as Record<string, unknown>).message).join(
        "; ",
      )
    : "";

function client(overrides: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const http = createHttpClient({
    baseUrl,
    token: TOKEN,
    headers: () => ({ Authorization: `Bearer ${TOKEN}`, Accept: "application/json" }),
    // The failure rides along as the cause, so tests can read what the layer saw.
    toError: (failure, { where, redact }) =>
      new AppError(
        "upstream:loopback",
        failure.kind === "status"
          ? `${where} ${failure.status}: ${readErrorBody(redact(failure.body), failure.status, readJson)}`
          : `${where} ${failure.kind}`,
        { cause: failure },
      ),
    timeoutMs: 1_000,
    maxRetries: 3,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    rateLimitReset: "seconds",
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    now: () => NOW,
    ...overrides,
  });
  return { http, sleeps };
}

const ok = { status: 200, body: '{"ok":true}' };

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

describe("429 waits", () => {
  it("waits Retry-After seconds, then succeeds", async () => {
    script = [{ status: 429, headers: { "retry-after": "7" } }, ok];
    const { http, sleeps } = client();
    const { value } = await http.json("GET", "/things", OkSchema);
    expect(value).toEqual({ ok: true });
    expect(sleeps).toEqual([7_000]);
    expect(seen).toHaveLength(2);
  });

  // The one test of the 429 wait in real time (the others record what the client would sleep).
  it("waits out Retry-After in real time, with the real sleep and the shared limiter's pause", async () => {
    script = [{ status: 429, headers: { "retry-after": "0.3" } }, ok];
    const limiter = createSlidingWindowLimiter({ windowMs: 60_000 });
    const { http } = client({
      sleep: undefined,
      now: Date.now,
      rateLimit: { limiter, requestsPerWindow: 100 },
    });
    const sent: number[] = [];
    server.on("request", () => sent.push(performance.now()));
    await expect(http.json("GET", "/r", OkSchema)).resolves.toMatchObject({ value: { ok: true } });
    expect(sent).toHaveLength(2);
    // A loaded machine only makes the real wait longer.
    expect((sent[1] ?? 0) - (sent[0] ?? 0)).toBeGreaterThanOrEqual(300);
  });

  it("waits until a Retry-After HTTP date", async () => {
    script = [{ status: 429, headers: { "retry-after": new Date(NOW + 12_000).toUTCString() } }, ok];
    const { http, sleeps } = client();
    await http.json("GET", "/things", OkSchema);
    expect(sleeps).toEqual([12_000]);
  });

  it("reads ratelimit-reset as seconds from now, the longer of it and Retry-After winning", async () => {
    script = [{ status: 429, headers: { "ratelimit-reset": "40", "retry-after": "9" } }, ok];
    const { http, sleeps } = client();
    await http.json("GET", "/things", OkSchema);
    expect(sleeps).toEqual([40_000]);
  });

  it("reads GitLab's ratelimit-reset as an epoch second when there is no Retry-After", async () => {
    script = [{ status: 429, headers: { "ratelimit-reset": String(NOW / 1_000 + 5) } }, ok];
    const { http, sleeps } = client({ rateLimitReset: "epoch" });
    await http.json("GET", "/things", OkSchema);
    expect(sleeps).toEqual([5_000]);
  });

  it("backs off without usable headers, and retries a POST on 429 (the server did nothing)", async () => {
    script = [{ status: 429 }, { status: 429, headers: { "retry-after": "soon" } }, ok];
    const { http, sleeps } = client();
    await http.json("POST", "/things", OkSchema, { body: { title: "x" } });
    expect(sleeps).toEqual([50, 100]);
    expect(seen.map((s) => s.body)).toEqual(Array(3).fill('{"title":"x"}'));
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
  });

  it("pauses the rate limiter for the wait, so other requests hold back too", async () => {
    let clock = 0;
    const inner = createSlidingWindowLimiter({ windowMs: 60_000, now: () => clock, sleep: async () => {} });
    const pauses: number[] = [];
    const limiter: RateLimiter = {
      acquire: (limit, signal) => inner.acquire(limit, signal),
      pauseFor: (ms) => {
        pauses.push(ms);
        inner.pauseFor(ms);
      },
      inWindow: () => inner.inWindow(),
    };
    script = [{ status: 429, headers: { "retry-after": "3" } }, ok];
    const { http } = client({
      rateLimit: { limiter, requestsPerWindow: 100 },
      sleep: async (ms) => {
        clock += ms;
      },
    });
    await http.json("GET", "/things", OkSchema);
    expect(pauses).toEqual([3_000]);
    expect(limiter.inWindow()).toBe(2);
  });

  it("gives up after the retry budget with the last 429", async () => {
    script = [{ status: 429, headers: { "retry-after": "1" } }];
    const { http, sleeps } = client({ maxRetries: 2 });
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    expect(failureOf(error)).toMatchObject({ kind: "status", status: 429, retried: true });
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(seen).toHaveLength(3);
  });
});

describe("retries", () => {
  it("retries 5xx with exponential back-off, then succeeds", async () => {
    script = [{ status: 503 }, { status: 502 }, { status: 500 }, ok];
    const retries: string[] = [];
    const { http, sleeps } = client({ onRetry: (event) => retries.push(`${event.attempt}/${event.reason}`) });
    const { value } = await http.json("GET", "/things", OkSchema, { query: { a: "1", b: ["x", "y"] } });
    expect(value).toEqual({ ok: true });
    expect(sleeps).toEqual([50, 100, 200]);
    expect(retries).toEqual(["2/503", "3/502", "4/500"]);
    expect(seen.map((s) => s.url)).toEqual(Array(4).fill("/api/things?a=1&b=x&b=y"));
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(http.requestCount()).toBe(4);
    expect(http.answeredCount()).toBe(4);
  });

  it("does not retry a POST after a 5xx: the server may have acted", async () => {
    script = [{ status: 503 }, ok];
    const { http, sleeps } = client();
    const error = await rejectedAppError(http.json("POST", "/things", OkSchema, { body: {} }));
    expect(failureOf(error)).toMatchObject({ kind: "status", status: 503, retried: false });
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("does not retry other 4xx", async () => {
    script = [{ status: 404, body: '{"error":"no such thing"}' }, ok];
    const { http } = client();
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    expect(error.message).toBe("GET /things 404: no such thing");
    expect(seen).toHaveLength(1);
  });

  it("retries a cut-off 2xx body only when asked to", async () => {
    script = [{ status: 200, body: '{"ok":tr' }, ok];
    const retrying = client({ retryUnreadableJson: true });
    await expect(retrying.http.json("GET", "/things", OkSchema)).resolves.toMatchObject({
      value: { ok: true },
    });

    seen = [];
    const strict = client();
    const error = await rejectedAppError(strict.http.json("GET", "/things", OkSchema));
    expect(failureOf(error)).toMatchObject({ kind: "not json", retried: false });
    expect(seen).toHaveLength(1);
  });

  it("fails a body of the wrong shape without retrying, the token redacted from the issues", async () => {
    script = [{ status: 200, body: `{"ok":"${TOKEN}"}` }];
    const { http } = client();
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    const failure = failureOf(error);
    expect(failure.kind).toBe("shape");
    expect(JSON.stringify(failure.kind === "shape" ? failure.issues : "")).not.toContain(TOKEN);
    expect(seen).toHaveLength(1);
  });
});

describe("timeouts and unreachable hosts", () => {
  it("times out an attempt that gets no answer, retries, and says it timed out", async () => {
    script = ["hang"];
    const { http, sleeps } = client({ timeoutMs: 150, maxRetries: 1 });
    const started = performance.now();
    const error = await rejectedAppError(http.json("GET", "/slow", OkSchema));
    expect(failureOf(error)).toMatchObject({
      kind: "no answer",
      timedOut: true,
      status: null,
      retried: true,
    });
    expect(seen).toHaveLength(2);
    expect(sleeps).toEqual([50]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("does not retry a POST that timed out", async () => {
    script = ["hang"];
    const { http } = client({ timeoutMs: 150 });
    const error = await rejectedAppError(http.json("POST", "/slow", OkSchema, { body: {} }));
    expect(failureOf(error)).toMatchObject({ kind: "no answer", timedOut: true, retried: false });
    expect(seen).toHaveLength(1);
  });

  it("fails fast on a refused connection, naming the host and the code", async () => {
    const port = await closedPort();
    const { http, sleeps } = client({ baseUrl: `http://127.0.0.1:${port}`, failFastWhenUnreachable: true });
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    expect(failureOf(error)).toMatchObject({
      kind: "unreachable",
      code: "ECONNREFUSED",
      text: "connection refused",
      host: `127.0.0.1:${port}`,
    });
    expect(sleeps).toEqual([]);
    expect(http.requestCount()).toBe(1);
    expect(http.answeredCount()).toBe(0);
  });

  it("backs off on a refused connection when not told to fail fast", async () => {
    const port = await closedPort();
    const { http, sleeps } = client({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 2 });
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    expect(failureOf(error)).toMatchObject({ kind: "no answer", code: "ECONNREFUSED", timedOut: false });
    expect(sleeps).toEqual([50, 100]);
    expect(http.requestCount()).toBe(3);
  });
});

describe("error bodies", () => {
  it.each<{ shape: string; headers: Record<string, string>; body: string; detail: string }>([
    {
      shape: "JSON",
      headers: { "content-type": "application/json" },
      body: '{"error":{"message":"Bad input"}}',
      detail: "Bad input",
    },
    {
      shape: "JSON field map",
      headers: {},
      body: '{"error":{"title":["is missing"]}}',
      detail: "title: is missing",
    },
    {
      shape: "text",
      headers: { "content-type": "text/plain" },
      body: "  Upstream exploded.\n",
      detail: "Upstream exploded",
    },
    {
      shape: "HTML",
      headers: { "content-type": "text/html" },
      body: "<html><title>Teapot &amp; co</title></html>",
      detail: "Teapot & co",
    },
    { shape: "empty", headers: {}, body: "", detail: "" },
    { shape: "status line only", headers: {}, body: "400 Bad Request", detail: "" },
    {
      shape: "JSON echoing the token",
      headers: {},
      body: `{"message":"bad token ${TOKEN}"}`,
      detail: "bad token [redacted]",
    },
  ])("reads a $shape error body", async ({ headers, body, detail }) => {
    script = [{ status: 400, headers, body }];
    const { http } = client();
    const error = await rejectedAppError(http.json("GET", "/things", OkSchema));
    expect(error.message).toBe(`GET /things 400: ${detail}`);
  });

  it("keeps at most 300 characters of a long body", () => {
    expect(readErrorBody("x".repeat(1_000), 500, readJson)).toHaveLength(300);
  });
});

describe("a refused token", () => {
  it("sends nothing more after a 401 when told so", async () => {
    script = [{ status: 401, body: '{"error":"token revoked"}' }, ok];
    const { http } = client({ refuseAfter401: true });
    const first = await rejectedAppError(http.json("GET", "/a", OkSchema));
    const second = await rejectedAppError(http.json("GET", "/b", OkSchema));
    expect(second).toBe(first);
    expect(first.message).toBe("GET /a 401: token revoked");
    expect(seen).toHaveLength(1);
  });

  it("keeps sending after a 401 otherwise", async () => {
    script = [{ status: 401 }, ok];
    const { http } = client();
    await rejectedAppError(http.json("GET", "/a", OkSchema));
    await expect(http.json("GET", "/b", OkSchema)).resolves.toMatchObject({ value: { ok: true } });
  });
});

describe("requests in flight", () => {
  it("sends a waiting request of higher priority first, and equal priorities in the order they came", async () => {
    script = ["hang", ok];
    const { http } = client({ concurrency: 1, timeoutMs: 200, maxRetries: 0 });
    // The first request holds the only place (until it times out); four wait for it.
    const first = http.send("GET", "/held").catch(() => null);
    const waiting = [
      http.send("GET", "/a"),
      http.send("GET", "/b"),
      http.send("GET", "/urgent", { priority: 1 }),
      http.send("GET", "/c"),
    ];
    await Promise.all([first, ...waiting]);
    expect(seen.map((s) => s.url)).toEqual(["/api/held", "/api/urgent", "/api/a", "/api/b", "/api/c"]);
  });
});

describe("checking an answer", () => {
  it("frees the request's place before checking its body, so the next request is already sent", async () => {
    script = [ok, ok];
    let fetched = 0;
    const counting: typeof fetch = (input, init) => {
      fetched++;
      return fetch(input, init);
    };
    const { http } = client({ concurrency: 1, fetch: counting });
    const sentWhenChecked: number[] = [];
    const Checked = OkSchema.refine(() => {
      sentWhenChecked.push(fetched);
      return true;
    });
    await Promise.all([http.json("GET", "/a", Checked), http.json("GET", "/b", Checked)]);
    // The first answer is checked once the second request holds the place it freed.
    expect(sentWhenChecked).toEqual([2, 2]);
  });
});

describe("raw bytes", () => {
  it("stops reading after maxBytes + 1 bytes", async () => {
    script = [
      { status: 200, headers: { "content-type": "application/octet-stream" }, body: "a".repeat(5_000) },
    ];
    const { http } = client();
    const { bytes, status } = await http.send("GET", "/file", { maxBytes: 10 });
    expect(status).toBe(200);
    expect(bytes).toHaveLength(11);
  });
});
