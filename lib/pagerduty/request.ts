import type * as z from "zod";

import { AppError, type ErrorCode } from "@/lib/errors";
import { describeStatus, readErrorBody, messagesIn, truncate } from "@/lib/http/error-body";
import { DEFAULT_RATE_LIMIT_WINDOW_MS, getSharedRateLimiter, type RateLimiter } from "@/lib/http/rate-limit";
import {
  createHttpClient,
  type HttpFailure,
  type FailureContext,
  type HttpTuning,
  type Query,
} from "@/lib/http/request";
import { ErrorBodySchema } from "@/lib/pagerduty/schemas";

/** The code of a request that found no server: connection refused, or no such host. */
export const UNREACHABLE_CODE = "upstream:pagerduty_unreachable";

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
export const V3_EARLY_ACCESS = "flexible-schedules-early-access";

export interface RequesterOptions extends HttpTuning {
  baseUrl: string;
  token: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests this client allows itself per rate-limit window (a minute unless `rateLimitWindowMs`). */
  requestsPerMinute: number;
  /** Per attempt, covering the response body too. */
  timeoutMs: number;
  rateLimitWindowMs?: number;
  /** Default: the process-wide limiter of this token and host. */
  rateLimiter?: RateLimiter;
}

export interface RequestOptions<S extends z.ZodType> {
  query?: Query;
  schema: S;
  signal?: AbortSignal;
  /** Ahead of reads already waiting for a place in flight when higher (`SendOptions.priority`). */
  priority?: number;
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

/** Messages of a parsed JSON error body, whichever of PagerDuty's shapes it has. */
function readErrorJson(json: unknown): string {
  const result = ErrorBodySchema.safeParse(json);
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
  return readErrorBody(body, status, readErrorJson);
}

/** Messages reach people: keep them to one short line however long the detail. */
const MAX_MESSAGE_CHARS = 300;

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid:pagerduty",
  401: "unauthorized:pagerduty",
  403: "forbidden:pagerduty",
  404: "not_found:pagerduty",
  429: "rate_limited:pagerduty",
};

/** PagerDuty's words and codes for a failed request. */
function errorFor(failure: HttpFailure, { where, maxRetries, timeoutMs, redact }: FailureContext): AppError {
  const retries = `after ${maxRetries} retries`;
  switch (failure.kind) {
    case "unreachable":
      return new AppError(
        UNREACHABLE_CODE,
        `Cannot reach ${failure.host}: ${failure.text} (${failure.code}). Check the PagerDuty URL and the network.`,
        { cause: failure.cause },
      );
    case "no answer": {
      const { code, status } = failure;
      const why = failure.timedOut
        ? `timed out after ${timeoutMs} ms`
        : status === null
          ? `failed (network error${code ? `: ${code}` : ""})`
          : `broke off while sending the ${status} response body`;
      return new AppError("upstream:pagerduty", `PagerDuty ${where} ${why}, ${retries}.`, {
        cause: failure.cause,
      });
    }
    case "not json":
      return new AppError(
        "upstream:pagerduty",
        `PagerDuty answered ${where} with a body that is not valid JSON (truncated?), ${retries}.`,
        { cause: failure.cause },
      );
    case "shape":
      return new AppError(
        "upstream:pagerduty",
        `PagerDuty answered ${where} with an unexpected response shape (${failure.issues}).`,
        { cause: failure.cause },
      );
    case "status": {
      const { status } = failure;
      // Redacted before it is read, so no cut can leave part of the token behind.
      const detail = describeErrorBody(redact(failure.body), status);
      const tails: Record<number, string> = {
        401: ". The API token was rejected: check that it is correct and has not been revoked.",
        403: ". The API token is not allowed to read this.",
        429: `, and kept doing so ${retries}.`,
      };
      const code = CODE_BY_STATUS[status] ?? "upstream:pagerduty";
      const tail = tails[status] ?? (status >= 500 || status === 408 ? `, ${retries}.` : ".");
      const seen = `PagerDuty answered ${describeStatus(status)} to ${where}`;
      const room = MAX_MESSAGE_CHARS - seen.length - tail.length - 2;
      const fitted = detail ? truncate(detail, Math.max(40, room)) : "";
      return new AppError(code, `${seen}${fitted ? `: ${fitted}` : ""}${tail}`);
    }
  }
}

/** One helper for every PagerDuty call: auth headers, rate limit and concurrency of the token, PagerDuty's errors. */
export function createRequester(options: RequesterOptions): Requester {
  const http = createHttpClient({
    ...options,
    headers: (path) => headersForPath(path, options.token),
    toError: errorFor,
    rateLimit: {
      limiter:
        options.rateLimiter ??
        getSharedRateLimiter(
          options.baseUrl,
          options.token,
          options.rateLimitWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS,
        ),
      requestsPerWindow: options.requestsPerMinute,
    },
    rateLimitReset: "seconds",
    refuseAfter401: true,
    failFastWhenUnreachable: true,
    retryUnreadableJson: true,
  });
  return {
    get: async (path, { query, schema, signal, priority }) =>
      (await http.json("GET", path, schema, { query, signal, priority })).value,
    requestCount: () => http.requestCount(),
    answeredCount: () => http.answeredCount(),
  };
}
