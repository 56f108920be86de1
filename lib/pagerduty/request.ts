import pLimit from "p-limit";
import type { z } from "zod";

import { AppError, type ErrorCode } from "@/lib/errors";
import {
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  getSharedRateLimiter,
  realSleep,
  type RateLimiter,
  type Sleep,
} from "@/lib/http/rate-limit";
import { ErrorBodySchema } from "@/lib/pagerduty/schemas";

export const ACCEPT_HEADER = "application/vnd.pagerduty+json;version=2";
/**
 * The v3 (shift-based) schedule endpoints are not versioned by the vendor Accept type: PagerDuty's OpenAPI
 * lists no versioning `Accept` parameter for `/v3/schedules` and `/v3/schedules/{id}` (unlike every v2
 * operation), and their responses are `application/json` only. go-pagerduty's `scheduleV3Headers` sends
 * exactly this Accept for them ("the v3 API requires Accept: application/json").
 */
export const V3_ACCEPT_HEADER = "application/json";
/**
 * Shift-based schedules began as an early-access API. go-pagerduty (`scheduleV3Headers`) and
 * terraform-provider-pagerduty (`pagerduty_schedulev2`, documented as requiring the
 * `flexible-schedules-early-access` flag) send this on every v3 schedule request, and earlier editions of
 * the OpenAPI said it must be passed on every request. The current OpenAPI no longer lists it and PagerDuty's
 * MCP server reads v3 schedules without it, so it is no longer needed where v3 is generally available;
 * sending it keeps accounts still on early access working.
 */
/** The code of a request that found no server: connection refused, or no such host. */
export const UNREACHABLE_CODE = "upstream:pagerduty_unreachable";

export const V3_EARLY_ACCESS = "flexible-schedules-early-access";
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
  /** Called when a failed attempt will be retried, before the wait: so a slow run can say why it is slow. */
  onRetry?: (event: RetryEvent) => void;
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
  /** HTTP responses received so far, whatever their status: the server was there. */
  answeredCount(): number;
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

/**
 * Headers by path: the v3 schedule endpoints the audit reads (`/v3/schedules`, `/v3/schedules/{id}`) want
 * plain JSON and the early-access flag (see `V3_EARLY_ACCESS`). (The OpenAPI does list the vendor Accept for
 * `/v3/schedules/{id}/audit/records`, which the audit never reads.)
 */
export function headersForPath(path: string, token: string): Record<string, string> {
  const authorization = `Token token=${token}`;
  if (path === "/v3/schedules" || path.startsWith("/v3/schedules/"))
    return { Authorization: authorization, Accept: V3_ACCEPT_HEADER, "X-EARLY-ACCESS": V3_EARLY_ACCESS };
  return { Authorization: authorization, Accept: ACCEPT_HEADER };
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

const MAX_DETAIL_CHARS = 300;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

const HTML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    const point = /^#x/i.test(name)
      ? parseInt(name.slice(2), 16)
      : name.startsWith("#")
        ? Number(name.slice(1))
        : null;
    if (point === null) return HTML_ENTITIES[name.toLowerCase()] ?? whole;
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** An HTML page's `<title>`, or else its first line of text; never the page. */
function htmlText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const fromTitle = title === undefined ? "" : decodeEntities(title).replace(/\s+/g, " ").trim();
  if (fromTitle) return fromTitle;
  const text = html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, "\n")
    .replace(/<!--[\s\S]*?-->/g, "\n")
    .replace(/<[^>]*>/g, "\n");
  for (const line of text.split("\n")) {
    const clean = decodeEntities(line).replace(/\s+/g, " ").trim();
    if (clean) return clean;
  }
  return "";
}

/** The messages in an `error`/`errors` value: a string, a list, objects with `message(s)`, or a field map. */
function messagesIn(value: unknown, depth = 0): string[] {
  if (depth > 4) return [];
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) return value.flatMap((item) => messagesIn(item, depth + 1));
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if ("message" in record || "messages" in record || "errors" in record) {
    return [
      ...messagesIn(record.message, depth + 1),
      ...messagesIn(record.messages, depth + 1),
      ...messagesIn(record.errors, depth + 1),
    ];
  }
  // A field map, v3's `{ "event.effective_since": ["…"] }`.
  return Object.entries(record).flatMap(([field, messages]) => {
    const inner = messagesIn(messages, depth + 1);
    return inner.length === 0 ? [] : [`${field}: ${inner.join(", ")}`];
  });
}

/** Messages of a JSON error body, whichever of PagerDuty's shapes it has; null when the body is not JSON. */
function jsonErrorText(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const result = ErrorBodySchema.safeParse(parsed);
  if (!result.success) return "";
  const { error, message, errors } = result.data;
  const parts = [...messagesIn(error), ...messagesIn(message), ...messagesIn(errors)];
  return [...new Set(parts)].join("; ");
}

/**
 * What an error body says, in one short line (at most 300 characters, no trailing full stop): the messages of
 * any of PagerDuty's JSON error shapes (`{error:{message,errors}}` with `errors` a list, a string or v3's
 * field map; `{error:[…]}`; `{error:"…"}`; `message`/`errors` at the top), an HTML page's title or first
 * text, or plain text. Empty when the body says nothing beyond the status itself ("502 Bad Gateway").
 */
export function describeErrorBody(body: string, status: number): string {
  const trimmed = body.trim();
  if (!trimmed) return "";
  // A page or text is read from its start only: what matters is there, and a huge body stays cheap.
  const start = trimmed.slice(0, 65_536);
  const raw = jsonErrorText(trimmed) ?? (/^<|<html[\s>]/i.test(start) ? htmlText(start) : start);
  // A status line in front ("401 Unauthorized: …") repeats what the message already says.
  const text = raw
    .replace(/\s+/g, " ")
    .trim()
    .replace(new RegExp(`^${status}(?: [A-Za-z][A-Za-z -]*?)?\\s*[:–—-]\\s+`), "")
    .replace(/[.!\s]+$/, "");
  const onlyStatus = new RegExp(`^${status}(?: [A-Za-z][A-Za-z -]*)?$`).test(text);
  if (onlyStatus || text.toLowerCase() === STATUS_TEXT[status]?.toLowerCase()) return "";
  return truncate(text, MAX_DETAIL_CHARS);
}

/** Messages reach people: keep them to one short line however long the detail. */
const MAX_MESSAGE_CHARS = 300;

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
  let sent = 0;
  let answered = 0;
  /** The 401 that refused the token; a revoked token stays revoked, so nothing more is sent with it. */
  let refusal: AppError | null = null;
  /** The refusal was taken from a 401's status line; its body, with PagerDuty's words, is still coming. */
  let refusalAwaitsBody = false;

  /** Messages reach users: never let the token through, whatever the server echoes. */
  const redact = (text: string) => (options.token ? text.split(options.token).join("[redacted]") : text);

  const describeStatus = (status: number) =>
    `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""}`;

  const errorForStatus = (status: number, where: string, body: string): AppError => {
    // Redacted before it is read, so no cut can leave part of the token behind.
    const detail = describeErrorBody(redact(body), status);
    const codes: Record<number, [ErrorCode, string]> = {
      400: ["invalid:pagerduty", "."],
      401: [
        "unauthorized:pagerduty",
        ". The API token was rejected: check that it is correct and has not been revoked.",
      ],
      403: ["forbidden:pagerduty", ". The API token is not allowed to read this."],
      404: ["not_found:pagerduty", "."],
      429: ["rate_limited:pagerduty", `, and kept doing so after ${maxRetries} retries.`],
    };
    const [code, tail] = codes[status] ?? [
      "upstream:pagerduty",
      status >= 500 || status === 408 ? `, after ${maxRetries} retries.` : ".",
    ];
    const seen = `PagerDuty answered ${describeStatus(status)} to ${where}`;
    const room = MAX_MESSAGE_CHARS - seen.length - tail.length - 2;
    const fitted = detail ? truncate(detail, Math.max(40, room)) : "";
    return new AppError(code, `${seen}${fitted ? `: ${fitted}` : ""}${tail}`);
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
      response = await fetchImpl(url, {
        method: "GET",
        headers: headersForPath(path, options.token),
        signal: combined,
      });
      status = response.status;
      answered++;
      // Refused from this moment, not once the body is in: a request sent while it arrives would be refused too.
      if (status === 401 && refusal === null) {
        refusal = errorForStatus(401, where, "");
        refusalAwaitsBody = true;
      }
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.aborted || isTimeout(error);
      const code = networkErrorCode(error);
      const unreachable = !timedOut && status === null && code !== null ? UNREACHABLE[code] : undefined;
      if (code !== null && unreachable !== undefined) {
        const retries = Math.min(unreachable.retries, maxRetries);
        report(attempt < retries ? "retryable" : "failed");
        const failure = new AppError(
          UNREACHABLE_CODE,
          `Cannot reach ${url.host}: ${unreachable.text} (${code}). Check the PagerDuty URL and the network.`,
          { cause: error },
        );
        if (attempt >= retries) return { kind: "fail", error: failure };
        return {
          kind: "retry",
          error: failure,
          waitMs: computeBackoffMs(attempt, backoff, random),
          rateLimited: false,
          reason: code,
          maxRetries: retries,
        };
      }
      report("retryable");
      const why = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : status === null
          ? `failed (network error${code ? `: ${code}` : ""})`
          : `broke off while sending the ${status} response body`;
      return {
        kind: "retry",
        error: new AppError("upstream:pagerduty", `PagerDuty ${where} ${why}, after ${maxRetries} retries.`, {
          cause: error,
        }),
        waitMs: computeBackoffMs(attempt, backoff, random),
        rateLimited: false,
        reason: timedOut ? "timeout" : status === null ? (code ?? "network error") : "body cut off",
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
          reason: "truncated body",
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
    // The refusal's message gains what PagerDuty said, for the calls refused from now on.
    if (response.status === 401 && refusalAwaitsBody) {
      refusal = error;
      refusalAwaitsBody = false;
    }
    if (response.status === 429) {
      report("retryable");
      const waitMs = computeRateLimitWaitMs(response.headers, attempt, backoff, random, Date.now());
      return { kind: "retry", error, waitMs, rateLimited: true, reason: "429" };
    }
    if (response.status === 408 || response.status >= 500) {
      report("retryable");
      return {
        kind: "retry",
        error,
        waitMs: computeBackoffMs(attempt, backoff, random),
        rateLimited: false,
        reason: String(response.status),
      };
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
        const budget = result.kind === "retry" ? Math.min(maxRetries, result.maxRetries ?? maxRetries) : 0;
        if (result.kind === "fail" || attempt >= budget) throw result.error;
        // A 429 means the token's window is full for every request, not just this one.
        if (result.rateLimited) limiter.pauseFor(result.waitMs);
        options.onRetry?.({
          method: "GET",
          path,
          attempt: attempt + 2,
          attempts: budget + 1,
          reason: result.reason,
          waitMs: result.waitMs,
        });
        await sleep(result.waitMs, signal);
      }
    },
    requestCount: () => sent,
    answeredCount: () => answered,
  };
}
