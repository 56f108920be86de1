import PQueue from "p-queue";
import type * as z from "zod";

import type { AppError } from "@/lib/errors";
import { realSleep, type RateLimiter, type Sleep } from "@/lib/http/rate-limit";

export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_RETRY_BASE_MS = 500;
export const DEFAULT_RETRY_MAX_MS = 30_000;
/** Longest wait a 429's headers can ask for; the servers' windows are a minute. */
export const MAX_RATE_LIMIT_WAIT_MS = 120_000;

export type Method = "GET" | "POST" | "PUT";
export type QueryValue = string | number | boolean | readonly string[];
export type Query = Readonly<Record<string, QueryValue | undefined>>;

export interface RequestEvent {
  method: string;
  /** Path without the query string. */
  path: string;
  /** 0 for the first try. */
  attempt: number;
  /** HTTP status, or null when no response arrived (network error, timeout). */
  status: number | null;
  /** `retryable`: a failure that is retried while the budget lasts. */
  outcome: "ok" | "retryable" | "failed";
  durationMs: number;
}

export interface RetryEvent {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The attempt about to be made, the first try being 1. */
  attempt: number;
  /** Attempts allowed in all for this failure: the first try plus the retries. */
  attempts: number;
  /** The HTTP status (`"503"`), or what broke: `timeout`, `truncated body`, a system code (`ECONNRESET`). */
  reason: string;
  /** How long the retry waits first, in ms. */
  waitMs: number;
}

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * What went wrong with one request, for the adapter to word as its own AppError. `retried` says whether
 * this kind of failure was retried for this method (so the message can say "after N retries").
 */
export type HttpFailure =
  | { kind: "status"; status: number; body: string; headers: Headers; retried: boolean }
  /** No server there: connection refused, no such host (see `UNREACHABLE`). */
  | { kind: "unreachable"; code: string; text: string; host: string; cause: unknown }
  /** No whole answer: `status` is set when the body broke off after the status line. */
  | {
      kind: "no answer";
      timedOut: boolean;
      code: string | null;
      status: number | null;
      retried: boolean;
      cause: unknown;
    }
  | { kind: "not json"; retried: boolean; cause: unknown }
  /** The answer parsed but did not fit the schema; `issues` is redacted already. */
  | { kind: "shape"; issues: string; cause: unknown };

export interface FailureContext {
  /** `GET /users`. */
  where: string;
  maxRetries: number;
  timeoutMs: number;
  /** Takes the token out of text the server sent back. */
  redact: (text: string) => string;
}

export interface HttpClientOptions {
  /** Everything before the path, e.g. `https://gitlab.com/api/v4`. */
  baseUrl: string;
  /** The token, for the headers' sake and to redact it from anything the server echoes. */
  token: string;
  /** Auth and Accept headers of one request; `Content-Type` is added for a JSON body. */
  headers: (path: string) => Record<string, string>;
  /** The adapter's words and codes for a failure. */
  toError: (failure: HttpFailure, context: FailureContext) => AppError;
  /** Per attempt, covering the response body too. */
  timeoutMs: number;
  /** Retries after the first try. */
  maxRetries?: number;
  /** First back-off step; doubles per retry up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Requests in flight at once; unlimited when absent. */
  concurrency?: number;
  /** Paces every attempt; a 429 pauses it, for the window is full for every request. */
  rateLimit?: { limiter: RateLimiter; requestsPerWindow: number };
  /**
   * How the server's `ratelimit-reset` reads: `seconds` from now (PagerDuty, the IETF draft), or an `epoch`
   * time in seconds (GitLab). See `parseRateLimitWaitMs`.
   */
  rateLimitReset: "seconds" | "epoch";
  /** A 401 ends the token: later and queued calls reject with it without sending anything. */
  refuseAfter401?: boolean;
  /** A refused connection or unknown host fails at once (or after one try more) instead of backing off. */
  failFastWhenUnreachable?: boolean;
  /** A 2xx body that is not JSON (cut off?) is retried like a 5xx on an idempotent request. */
  retryUnreadableJson?: boolean;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Uniform in [0, 1), for jitter. */
  random?: () => number;
  /** Wall clock in ms, for a 429's dates. */
  now?: () => number;
  /** Called after every HTTP attempt. */
  onRequest?: (event: RequestEvent) => void;
  /** Called when a failed attempt will be retried, before the wait: so a slow run can say why it is slow. */
  onRetry?: (event: RetryEvent) => void;
}

/** What an adapter lets its callers tune: handed to `createHttpClient` as it is. */
export type HttpTuning = Pick<
  HttpClientOptions,
  "maxRetries" | "retryBaseMs" | "retryMaxMs" | "fetch" | "sleep" | "random" | "now" | "onRequest" | "onRetry"
>;

export interface SendOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Stop reading a 2xx body after this many bytes (the result then holds `maxBytes + 1`). */
  maxBytes?: number;
  /**
   * Waiting for a place among the requests in flight, a higher priority goes first (default 0); equal
   * priorities go in the order they came. For requests others wait on, e.g. reads that only start once
   * a slower input is ready, which would otherwise queue behind every read already waiting.
   */
  priority?: number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

export interface HttpClient {
  /** The 2xx response's body as bytes; rejects with the adapter's AppError for anything else. */
  send(method: Method, path: string, options?: SendOptions): Promise<RawResponse>;
  /** `send`, with the body parsed as JSON and checked against `schema`. */
  json<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    options?: SendOptions,
  ): Promise<{ value: z.output<S>; headers: Headers }>;
  /** HTTP requests sent so far, retries included. */
  requestCount(): number;
  /** HTTP responses received so far, whatever their status: the server was there. */
  answeredCount(): number;
}

/**
 * Exponential back-off with "equal jitter": half of the capped step is fixed, the other half random, so
 * retries spread out but never fire back-to-back. `attempt` 0 is the first retry.
 */
export function computeBackoffMs(attempt: number, settings: BackoffSettings, random: () => number): number {
  const step = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt));
  return step / 2 + random() * (step / 2);
}

const SECONDS = /^\s*\d+(\.\d+)?\s*$/;

/** `Retry-After` in ms: seconds, or an HTTP date (0 when past). Null when absent or unreadable. */
function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  if (SECONDS.test(value)) return Number(value) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * How long a 429 asks us to wait, in ms, at most `MAX_RATE_LIMIT_WAIT_MS`; null when no header is usable.
 * `seconds`: `ratelimit-reset` counts seconds from now, and the longer of it and `retry-after` wins.
 * `epoch`: `ratelimit-reset` is the epoch second the window resets, read only without a usable `retry-after`
 * (GitLab sends both, `retry-after` being the exact wait).
 */
export function parseRateLimitWaitMs(
  headers: Headers,
  nowMs: number,
  reset: "seconds" | "epoch" = "seconds",
): number | null {
  const retryAfter = parseRetryAfterMs(headers.get("retry-after"), nowMs);
  const resetValue = headers.get("ratelimit-reset");
  const resetNumber = resetValue !== null && SECONDS.test(resetValue) ? Number(resetValue) * 1_000 : null;
  const cap = (ms: number) => Math.min(MAX_RATE_LIMIT_WAIT_MS, ms);
  if (reset === "epoch") {
    if (retryAfter !== null) return cap(retryAfter);
    return resetNumber === null ? null : cap(Math.max(0, resetNumber - nowMs));
  }
  const waits = [resetNumber, retryAfter].filter((ms): ms is number => ms !== null);
  return waits.length === 0 ? null : cap(Math.max(...waits));
}

/** Wait before retrying a 429: what the headers ask plus jitter, or plain back-off without them. */
export function computeRateLimitWaitMs(
  headers: Headers,
  attempt: number,
  settings: BackoffSettings,
  random: () => number,
  nowMs: number,
  reset: "seconds" | "epoch" = "seconds",
): number {
  const asked = parseRateLimitWaitMs(headers, nowMs, reset);
  return asked === null ? computeBackoffMs(attempt, settings, random) : asked + random() * settings.baseMs;
}

export function buildUrl(baseUrl: string, path: string, query: Query = {}): URL {
  const url = new URL(baseUrl.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      url.searchParams.append(key, String(value));
    } else {
      for (const item of value) url.searchParams.append(key, item);
    }
  }
  return url;
}

/**
 * Failures to reach the host at all. A refused connection or a name that does not resolve will not change
 * within a back-off, so they fail at once; a DNS server that says "try again" or a missing route get one
 * more try. Resets and timeouts are not here: those are retried with the full budget.
 */
const UNREACHABLE: Record<string, { text: string; retries: number }> = {
  ECONNREFUSED: { text: "connection refused", retries: 0 },
  ENOTFOUND: { text: "no such host", retries: 0 },
  EAI_AGAIN: { text: "DNS lookup failed for now", retries: 1 },
  EHOSTUNREACH: { text: "no route to the host", retries: 1 },
  ENETUNREACH: { text: "network unreachable", retries: 1 },
};

/**
 * The system error code behind a failed fetch. undici's fetch throws `TypeError("fetch failed")` with the
 * socket or DNS error as `cause` (`cause.code`), and an `AggregateError` there when several addresses were
 * tried; the search goes a few causes deep.
 */
export function networkErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    // System codes (ECONNRESET) and undici's own (UND_ERR_SOCKET: the other side closed).
    if (typeof code === "string" && /^(E|UND_ERR_)[A-Z_]+$/.test(code)) return code;
    if (current instanceof AggregateError) {
      const inner = current.errors.map(networkErrorCode).find((c) => c !== null);
      if (inner) return inner;
    }
    current = current.cause;
  }
  return null;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

/** The body's bytes; past `maxBytes`, reading stops and `maxBytes + 1` bytes are kept. */
async function readBody(response: Response, maxBytes: number | undefined): Promise<Uint8Array> {
  if (maxBytes === undefined || !response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.subarray(0, Math.min(size, maxBytes + 1));
}

/** What one attempt came to. */
type Settled<T> =
  | { kind: "ok"; value: T }
  | {
      kind: "retry";
      error: AppError;
      waitMs: number;
      rateLimited: boolean;
      reason: string;
      /** Retries this kind of failure gets at most, when fewer than the configured budget. */
      maxRetries?: number;
    }
  | { kind: "fail"; error: AppError };

type Attempt<T> =
  | Settled<T>
  /**
   * A successful answer's body, not yet checked: `accept` (parsing, a schema) runs once the request's
   * place in flight is free, so the next request goes out first.
   */
  | { kind: "received"; settle: () => Settled<T> };

/** A 2xx answer turned into what the caller asked for, or a failure. */
type Accept<T> = (response: RawResponse) => { ok: true; value: T } | { ok: false; failure: HttpFailure };

/**
 * The one request loop of every outside system: headers, timeout, rate limit, concurrency, retries and
 * error bodies; the adapter words the failures (`toError`).
 *
 * Retried: 429 (waiting what its headers ask, or back-off), and for GET and PUT also 408, 5xx, network
 * errors and timeouts, with back-off and jitter. A POST is retried only on 429: a 5xx or a broken
 * connection may come after the server acted, and a retry would act twice. Never retried: other 4xx.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoff: BackoffSettings = {
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    maxMs: options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
  };
  const queue =
    options.concurrency === undefined ? null : new PQueue({ concurrency: Math.max(1, options.concurrency) });
  let sent = 0;
  let answered = 0;
  /** The 401 that refused the token; a revoked token stays revoked, so nothing more is sent with it. */
  let refusal: AppError | null = null;
  /** The refusal was taken from a 401's status line; its body, with the server's words, is still coming. */
  let refusalAwaitsBody = false;

  /** Messages reach users: never let the token through, whatever the server echoes. */
  const redact = (text: string) => (options.token ? text.split(options.token).join("[redacted]") : text);
  const toError = (failure: HttpFailure, where: string) =>
    options.toError(failure, { where, maxRetries, timeoutMs: options.timeoutMs, redact });
  const backoffWait = (attempt: number) => computeBackoffMs(attempt, backoff, random);

  const attemptOnce = async <T>(
    method: Method,
    path: string,
    url: URL,
    attempt: number,
    sendOptions: SendOptions,
    accept: Accept<T>,
  ): Promise<Attempt<T>> => {
    const { signal, body, maxBytes } = sendOptions;
    const where = `${method} ${path}`;
    const idempotent = method !== "POST";
    // Checked on both sides of the rate-limit wait: a 401 may arrive for a request sent meanwhile.
    if (refusal) return { kind: "fail", error: refusal };
    if (options.rateLimit) {
      await options.rateLimit.limiter.acquire(options.rateLimit.requestsPerWindow, signal);
      signal?.throwIfAborted();
      if (refusal) return { kind: "fail", error: refusal };
    }
    sent++;
    const started = performance.now();
    let status: number | null = null;
    /** When the whole answer was in: a body checked later does not lengthen the request. */
    let receivedAt: number | null = null;
    const report = (outcome: RequestEvent["outcome"]) =>
      options.onRequest?.({
        method,
        path,
        attempt,
        status,
        outcome,
        durationMs: (receivedAt ?? performance.now()) - started,
      });
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers = options.headers(path);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        signal: combined,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = response.status;
      answered++;
      // Refused from this moment, not once the body is in: a request sent while it arrives would be refused too.
      if (status === 401 && options.refuseAfter401 && refusal === null) {
        refusal = toError(
          { kind: "status", status, body: "", headers: response.headers, retried: false },
          where,
        );
        refusalAwaitsBody = true;
      }
      bytes = await readBody(response, response.ok ? maxBytes : undefined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.aborted || isTimeout(error);
      const code = networkErrorCode(error);
      const unreachable =
        options.failFastWhenUnreachable && !timedOut && status === null && code !== null
          ? UNREACHABLE[code]
          : undefined;
      if (code !== null && unreachable !== undefined) {
        const retries = idempotent ? Math.min(unreachable.retries, maxRetries) : 0;
        report(attempt < retries ? "retryable" : "failed");
        const failure = toError(
          { kind: "unreachable", code, text: unreachable.text, host: url.host, cause: error },
          where,
        );
        if (attempt >= retries) return { kind: "fail", error: failure };
        const waitMs = backoffWait(attempt);
        return {
          kind: "retry",
          error: failure,
          waitMs,
          rateLimited: false,
          reason: code,
          maxRetries: retries,
        };
      }
      const failure = toError(
        { kind: "no answer", timedOut, code, status, retried: idempotent, cause: error },
        where,
      );
      if (!idempotent) {
        report("failed");
        return { kind: "fail", error: failure };
      }
      report("retryable");
      return {
        kind: "retry",
        error: failure,
        waitMs: backoffWait(attempt),
        rateLimited: false,
        reason: timedOut ? "timeout" : status === null ? (code ?? "network error") : "body cut off",
      };
    }

    if (response.ok) {
      receivedAt = performance.now();
      const received = { status: response.status, headers: response.headers, bytes };
      const settle = (): Settled<T> => {
        const accepted = accept(received);
        if (accepted.ok) {
          report("ok");
          return { kind: "ok", value: accepted.value };
        }
        const error = toError(accepted.failure, where);
        if (accepted.failure.kind === "not json" && accepted.failure.retried) {
          report("retryable");
          return {
            kind: "retry",
            error,
            waitMs: backoffWait(attempt),
            rateLimited: false,
            reason: "truncated body",
          };
        }
        report("failed");
        return { kind: "fail", error };
      };
      return { kind: "received", settle };
    }

    const text = new TextDecoder().decode(bytes);
    const retried =
      response.status === 429 || (idempotent && (response.status === 408 || response.status >= 500));
    const error = toError(
      { kind: "status", status: response.status, body: text, headers: response.headers, retried },
      where,
    );
    // The refusal's message gains what the server said, for the calls refused from now on.
    if (response.status === 401 && refusalAwaitsBody) {
      refusal = error;
      refusalAwaitsBody = false;
    }
    if (!retried) {
      report("failed");
      return { kind: "fail", error };
    }
    report("retryable");
    if (response.status === 429) {
      const waitMs = computeRateLimitWaitMs(
        response.headers,
        attempt,
        backoff,
        random,
        now(),
        options.rateLimitReset,
      );
      return { kind: "retry", error, waitMs, rateLimited: true, reason: "429" };
    }
    return {
      kind: "retry",
      error,
      waitMs: backoffWait(attempt),
      rateLimited: false,
      reason: String(response.status),
    };
  };

  const request = async <T>(method: Method, path: string, sendOptions: SendOptions, accept: Accept<T>) => {
    const url = buildUrl(options.baseUrl, path, sendOptions.query);
    const { signal } = sendOptions;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const once = () => attemptOnce(method, path, url, attempt, sendOptions, accept);
      const answer = await (queue ? queue.add(once, { priority: sendOptions.priority ?? 0 }) : once());
      const result = answer.kind === "received" ? answer.settle() : answer;
      if (result.kind === "ok") return result.value;
      const budget = result.kind === "retry" ? Math.min(maxRetries, result.maxRetries ?? maxRetries) : 0;
      if (result.kind === "fail" || attempt >= budget) throw result.error;
      // A 429 means the token's window is full for every request, not just this one.
      if (result.rateLimited) options.rateLimit?.limiter.pauseFor(result.waitMs);
      options.onRetry?.({
        method,
        path,
        attempt: attempt + 2,
        attempts: budget + 1,
        reason: result.reason,
        waitMs: result.waitMs,
      });
      await sleep(result.waitMs, signal);
    }
  };

  return {
    send: (method, path, sendOptions = {}) =>
      request(method, path, sendOptions, (response) => ({ ok: true, value: response })),
    async json(method, path, schema, sendOptions = {}) {
      return request(method, path, sendOptions, ({ bytes, headers }) => {
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder().decode(bytes));
        } catch (error) {
          const retried = Boolean(options.retryUnreadableJson) && method !== "POST";
          return { ok: false, failure: { kind: "not json", retried, cause: error } };
        }
        const parsed = schema.safeParse(json);
        if (parsed.success) return { ok: true, value: { value: parsed.data, headers } };
        const issues = parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
          .join("; ");
        return { ok: false, failure: { kind: "shape", issues: redact(issues), cause: parsed.error } };
      });
    },
    requestCount: () => sent,
    answeredCount: () => answered,
  };
}
