import pLimit from "p-limit";
import type { z } from "zod";

import { AppError, type ErrorCode } from "@/lib/errors";
import {
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  getSharedRateLimiter,
  realSleep,
  type RateLimiter,
  type Sleep,
} from "@/lib/pagerduty/rate-limit";
import { ErrorBodySchema } from "@/lib/pagerduty/schemas";

export const ACCEPT_HEADER = "application/vnd.pagerduty+json;version=2";
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_RETRY_BASE_MS = 500;
export const DEFAULT_RETRY_MAX_MS = 30_000;
/** Longest wait a 429's headers can ask for; PagerDuty's window is a minute. */
export const MAX_RATE_LIMIT_WAIT_MS = 120_000;

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

export interface RequesterOptions {
  baseUrl: string;
  token: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests this client allows itself per rate-limit window (a minute unless `rateLimitWindowMs`). */
  requestsPerMinute: number;
  /** Per attempt, covering the response body too. */
  timeoutMs: number;
  /** Retries after the first try, for 408/429/5xx, network errors, timeouts and unreadable bodies. */
  maxRetries?: number;
  /** First back-off step; doubles per retry up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  rateLimitWindowMs?: number;
  /** Default: the process-wide limiter of this token and host. */
  rateLimiter?: RateLimiter;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Uniform in [0, 1), for jitter. */
  random?: () => number;
  /** Called after every HTTP attempt. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestOptions<S extends z.ZodType> {
  query?: Query;
  schema: S;
  signal?: AbortSignal;
}

export interface Requester {
  /**
   * Once PagerDuty has refused the token (401), it is refused for good: later calls, and retries or
   * queued calls of this requester, reject with that 401 without sending anything. Calls already in
   * flight finish.
   */
  get<S extends z.ZodType>(path: string, options: RequestOptions<S>): Promise<z.output<S>>;
  /** HTTP requests sent so far, retries included. */
  requestCount(): number;
}

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential back-off with "equal jitter": half of the capped step is fixed, the other half random, so
 * retries spread out but never fire back-to-back. `attempt` 0 is the first retry.
 */
export function computeBackoffMs(attempt: number, settings: BackoffSettings, random: () => number): number {
  const step = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt));
  return step / 2 + random() * (step / 2);
}

/**
 * How long a 429 asks us to wait, in ms: PagerDuty's `ratelimit-reset` (seconds until the window resets)
 * and the standard `retry-after` (seconds or an HTTP date); the longer one wins. Null when neither is usable.
 */
export function parseRateLimitWaitMs(headers: Headers, nowMs: number): number | null {
  const waits: number[] = [];
  const reset = headers.get("ratelimit-reset");
  if (reset !== null && /^\s*\d+(\.\d+)?\s*$/.test(reset)) waits.push(Number(reset) * 1_000);
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) waits.push(Number(retryAfter) * 1_000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) waits.push(Math.max(0, at - nowMs));
    }
  }
  return waits.length === 0 ? null : Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(...waits));
}

/** Wait before retrying a 429: what the headers ask plus jitter, or plain back-off without them. */
export function computeRateLimitWaitMs(
  headers: Headers,
  attempt: number,
  settings: BackoffSettings,
  random: () => number,
  nowMs: number,
): number {
  const asked = parseRateLimitWaitMs(headers, nowMs);
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

type Attempt<T> =
  | { kind: "ok"; value: T }
  | { kind: "retry"; error: AppError; waitMs: number; rateLimited: boolean }
  | { kind: "fail"; error: AppError };

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

/** One helper for every PagerDuty call: auth headers, timeout, rate limit, concurrency, retries, validation. */
export function createRequester(options: RequesterOptions): Requester {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoff: BackoffSettings = {
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    maxMs: options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
  };
  const limiter =
    options.rateLimiter ??
    getSharedRateLimiter(
      options.baseUrl,
      options.token,
      options.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS,
    );
  const limit = pLimit(Math.max(1, options.concurrency));
  const headers = {
    Authorization: `Token token=${options.token}`,
    Accept: ACCEPT_HEADER,
  };
  let sent = 0;
  /** The 401 that refused the token; a revoked token stays revoked, so nothing more is sent with it. */
  let refusal: AppError | null = null;

  /** Messages reach users: never let the token through, whatever the server echoes. */
  const redact = (text: string) => (options.token ? text.split(options.token).join("[redacted]") : text);

  const upstreamDetail = (body: string): string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return "";
    }
    const result = ErrorBodySchema.safeParse(parsed);
    if (!result.success) return "";
    const parts = [result.data.error.message, ...(result.data.error.errors ?? [])].filter(
      (p): p is string => typeof p === "string" && p.trim() !== "",
    );
    return parts.length === 0 ? "" : `: ${redact(parts.join("; ")).slice(0, 300)}`;
  };

  const describeStatus = (status: number) =>
    `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""}`;

  const errorForStatus = (status: number, where: string, body: string): AppError => {
    const detail = upstreamDetail(body);
    const seen = `PagerDuty answered ${describeStatus(status)} to ${where}${detail}`;
    const codes: Record<number, [ErrorCode, string]> = {
      400: ["invalid:pagerduty", `${seen}.`],
      401: [
        "unauthorized:pagerduty",
        `${seen}. The API token was rejected: check that it is correct and has not been revoked.`,
      ],
      403: ["forbidden:pagerduty", `${seen}. The API token is not allowed to read this.`],
      404: ["not_found:pagerduty", `${seen}.`],
      429: ["rate_limited:pagerduty", `${seen}, and kept doing so after ${maxRetries} retries.`],
    };
    const [code, message] = codes[status] ?? [
      "upstream:pagerduty",
      status >= 500 || status === 408 ? `${seen}, after ${maxRetries} retries.` : `${seen}.`,
    ];
    return new AppError(code, message);
  };

  const attemptOnce = async <S extends z.ZodType>(
    path: string,
    url: URL,
    where: string,
    attempt: number,
    schema: S,
    signal: AbortSignal | undefined,
  ): Promise<Attempt<z.output<S>>> => {
    // Checked on both sides of the rate-limit wait: a 401 may arrive for a request sent meanwhile.
    if (refusal) return { kind: "fail", error: refusal };
    await limiter.acquire(options.requestsPerMinute, signal);
    signal?.throwIfAborted();
    if (refusal) return { kind: "fail", error: refusal };
    sent++;
    const started = performance.now();
    let status: number | null = null;
    const report = (outcome: RequestEvent["outcome"]) =>
      options.onRequest?.({
        method: "GET",
        path,
        attempt,
        status,
        outcome,
        durationMs: performance.now() - started,
      });
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let body: string;
    try {
      response = await fetchImpl(url, { method: "GET", headers, signal: combined });
      status = response.status;
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.aborted || isTimeout(error);
      report("retryable");
      const why = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : status === null
          ? "failed (network error)"
          : `broke off while sending the ${status} response body`;
      return {
        kind: "retry",
        error: new AppError("upstream:pagerduty", `PagerDuty ${where} ${why}, after ${maxRetries} retries.`, {
          cause: error,
        }),
        waitMs: computeBackoffMs(attempt, backoff, random),
        rateLimited: false,
      };
    }

    if (response.ok) {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (error) {
        report("retryable");
        return {
          kind: "retry",
          error: new AppError(
            "upstream:pagerduty",
            `PagerDuty answered ${where} with a body that is not valid JSON (truncated?), after ${maxRetries} retries.`,
            { cause: error },
          ),
          waitMs: computeBackoffMs(attempt, backoff, random),
          rateLimited: false,
        };
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        report("failed");
        const issues = parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
          .join("; ");
        return {
          kind: "fail",
          error: new AppError(
            "upstream:pagerduty",
            `PagerDuty answered ${where} with an unexpected response shape (${redact(issues)}).`,
            { cause: parsed.error },
          ),
        };
      }
      report("ok");
      return { kind: "ok", value: parsed.data };
    }

    const error = errorForStatus(response.status, where, body);
    if (response.status === 401) refusal ??= error;
    if (response.status === 429) {
      report("retryable");
      const waitMs = computeRateLimitWaitMs(response.headers, attempt, backoff, random, Date.now());
      return { kind: "retry", error, waitMs, rateLimited: true };
    }
    if (response.status === 408 || response.status >= 500) {
      report("retryable");
      return { kind: "retry", error, waitMs: computeBackoffMs(attempt, backoff, random), rateLimited: false };
    }
    report("failed");
    return { kind: "fail", error };
  };

  return {
    async get(path, { query, schema, signal }) {
      const url = buildUrl(options.baseUrl, path, query);
      const where = `GET ${path}`;
      for (let attempt = 0; ; attempt++) {
        signal?.throwIfAborted();
        const result = await limit(() => attemptOnce(path, url, where, attempt, schema, signal));
        if (result.kind === "ok") return result.value;
        if (result.kind === "fail" || attempt >= maxRetries) throw result.error;
        // A 429 means the token's window is full for every request, not just this one.
        if (result.rateLimited) limiter.pauseFor(result.waitMs);
        await sleep(result.waitMs, signal);
      }
    },
    requestCount: () => sent,
  };
}
