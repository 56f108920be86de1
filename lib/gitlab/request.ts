import type { z } from "zod";

import { AppError, type ErrorCode } from "@/lib/errors";
import { realSleep, type Sleep } from "@/lib/http/rate-limit";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
  MAX_RATE_LIMIT_WAIT_MS,
  buildUrl,
  computeBackoffMs,
  parseRateLimitWaitMs,
  type BackoffSettings,
  type Query,
} from "@/lib/pagerduty/request";
import { ErrorBodySchema, type ErrorBody } from "./schemas";

export const DEFAULT_GITLAB_URL = "https://gitlab.com";
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest error detail kept in a message. */
const MAX_DETAIL_CHARS = 300;

export type Method = "GET" | "POST" | "PUT";

export interface GitLabRequesterOptions {
  /** The instance, without `/api/v4`. */
  baseUrl?: string;
  token: string;
  /** What error messages call the token, so people know which one to fix; default `GL_TOKEN`. */
  tokenName?: string;
  /** Per attempt, covering the response body too. */
  timeoutMs?: number;
  /** Retries after the first try (see `send` for what is retried). */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Uniform in [0, 1), for jitter. */
  random?: () => number;
  /** Wall clock in ms, for `RateLimit-Reset` (an epoch time). */
  now?: () => number;
}

export interface SendOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Stop reading the body after this many bytes (the result then holds `maxBytes + 1`). */
  maxBytes?: number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

export interface GitLabRequester {
  readonly baseUrl: string;
  /** The response body as bytes; throws AppError for any non-2xx answer that is not retried away. */
  send(method: Method, path: string, options?: SendOptions): Promise<RawResponse>;
  /** `send`, then the body parsed as JSON and checked against `schema`. */
  json<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    options?: SendOptions,
  ): Promise<{ value: z.output<S>; headers: Headers }>;
  /** HTTP requests sent so far, retries included. */
  requestCount(): number;
}

/**
 * How long a GitLab 429 asks us to wait, in ms: `Retry-After` (seconds or an HTTP date) wins; otherwise
 * `RateLimit-Reset`, which GitLab sends as an epoch time in seconds (unlike PagerDuty's "seconds from now").
 * Null when neither is usable.
 */
export function parseGitLabRateLimitWaitMs(headers: Headers, nowMs: number): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const asked = parseRateLimitWaitMs(new Headers({ "retry-after": retryAfter }), nowMs);
    if (asked !== null) return asked;
  }
  const reset = headers.get("ratelimit-reset");
  if (reset !== null && /^\s*\d+(\.\d+)?\s*$/.test(reset)) {
    return Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(0, Number(reset) * 1_000 - nowMs));
  }
  return null;
}

/** GitLab's error body, or null when it is not one (an HTML error page, say). */
function parseErrorBody(text: string): ErrorBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const result = ErrorBodySchema.safeParse(parsed);
  return result.success ? result.data : null;
}

/**
 * Renders GitLab's error body into one readable line: `404 Project Not Found`, `title can't be blank`,
 * `title is missing`, an OAuth error's description rather than its code. Empty when the body says nothing
 * usable (an HTML error page, say).
 */
export function describeErrorBody(text: string): string {
  const body = parseErrorBody(text);
  return body ? describeParsedBody(body) : "";
}

function describeParsedBody(body: ErrorBody): string {
  // An OAuth error's `error` is a code (`insufficient_scope`); its description is the sentence.
  const error = body.error_description?.trim() ? body.error_description : body.error;
  return [...renderMessage(body.message), error]
    .filter((p): p is string => typeof p === "string" && p.trim() !== "")
    .join("; ")
    .slice(0, MAX_DETAIL_CHARS);
}

/**
 * Keys of an object `message` that name no field: `base` (a model's error about no one field) and `error`
 * (an application limit's sentence). Their text reads on its own.
 */
const NOT_A_FIELD = new Set(["base", "error"]);

function renderMessage(message: unknown, field?: string): string[] {
  if (typeof message === "string") return [field ? `${field} ${message}` : message];
  if (Array.isArray(message)) return message.flatMap((item: unknown) => renderMessage(item, field));
  if (typeof message === "object" && message !== null) {
    return Object.entries(message).flatMap(([key, value]) => {
      const named = NOT_A_FIELD.has(key) ? undefined : key;
      return renderMessage(value, field && named ? `${field}.${named}` : (field ?? named));
    });
  }
  return [];
}

/** `a`, `a` or `b`, `a`, `b` or `c`: the scopes GitLab says would do, in its order. */
function listScopes(scope: string | undefined): string {
  const scopes = (scope ?? "api")
    .split(/\s+/)
    .filter((s) => s !== "")
    .map((s) => `\`${s}\``);
  if (scopes.length <= 1) return scopes[0] ?? "`api`";
  return `${scopes.slice(0, -1).join(", ")} or ${scopes.at(-1)}`;
}

/** Ends `text` with a full stop unless it ends with one (or another sentence end) already. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid:gitlab",
  // GitLab refusing the app's own token is an outside system failing us (502), not the person being
  // signed out (401): the browser would take a 401 for an ended session.
  401: "upstream:gitlab_token",
  403: "forbidden:gitlab",
  404: "not_found:gitlab",
  409: "conflict:gitlab",
  422: "invalid:gitlab",
  429: "rate_limited:gitlab",
};

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

type Attempt =
  | { kind: "ok"; response: RawResponse }
  | { kind: "retry"; error: AppError; waitMs: number }
  | { kind: "fail"; error: AppError };

/**
 * The one helper every GitLab call goes through: `PRIVATE-TOKEN`, timeout, retries and typed errors.
 *
 * Retried: 429 (waiting what `Retry-After`/`RateLimit-Reset` ask, or back-off), and for GET and PUT also
 * 408, 5xx, network errors and timeouts, with back-off and jitter. A POST is retried only on 429: a 5xx or a
 * broken connection may come after GitLab created the issue or note, and a retry would post it twice.
 * Never retried: 400, 401, 403, 404, 409, 422.
 */
export function createGitLabRequester(options: GitLabRequesterOptions): GitLabRequester {
  const baseUrl = (options.baseUrl ?? DEFAULT_GITLAB_URL).replace(/\/+$/, "");
  const apiUrl = `${baseUrl}/api/v4`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoff: BackoffSettings = {
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    maxMs: options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
  };
  let sent = 0;

  /** Messages reach users: never let the token through, whatever the server echoes. */
  const redact = (text: string) => (options.token ? text.split(options.token).join("[redacted]") : text);

  const tokenName = options.tokenName ?? "GL_TOKEN";
  const errorForStatus = (status: number, where: string, text: string, retried: boolean): AppError => {
    const body = parseErrorBody(text);
    const detail = body ? redact(describeParsedBody(body)) : "";
    const seen = `GitLab answered ${status} to ${where}${detail ? `: ${detail}` : ""}`;
    const code = CODE_BY_STATUS[status] ?? "upstream:gitlab";
    if (status === 403 && body?.error === "insufficient_scope") {
      // The token works but was made without the scope this route needs: say which, not "not allowed".
      const scopes = listScopes(body.scope);
      return new AppError(
        code,
        `${tokenName} lacks the ${scopes} scope: ${sentence(seen)} Give ${tokenName} that scope, or use a token that has it.`,
      );
    }
    const advice =
      status === 401
        ? " The access token was rejected: check that it is correct, has the api scope and has not expired."
        : status === 403
          ? " The token's user is not allowed to do this."
          : "";
    const after = retried && maxRetries > 0 ? `, after ${maxRetries} retries` : "";
    const refused = status === 401 ? `GitLab refused the dashboard's token (${tokenName}): ` : "";
    return new AppError(code, `${refused}${sentence(`${seen}${after}`)}${advice}`);
  };

  const readBody = async (response: Response, maxBytes: number | undefined): Promise<Uint8Array> => {
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
  };

  const attemptOnce = async (
    method: Method,
    url: URL,
    where: string,
    attempt: number,
    sendOptions: SendOptions,
  ): Promise<Attempt> => {
    const { signal, body, maxBytes } = sendOptions;
    const idempotent = method !== "POST";
    sent++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { "PRIVATE-TOKEN": options.token, Accept: "application/json" };
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
      bytes = await readBody(response, response.ok ? maxBytes : undefined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const why =
        timeout.aborted || isTimeout(error) ? `timed out after ${timeoutMs} ms` : "failed (network error)";
      if (!idempotent) {
        return {
          kind: "fail",
          error: new AppError(
            "upstream:gitlab",
            `GitLab ${where} ${why}; not retried, because GitLab may have applied it already.`,
            { cause: error },
          ),
        };
      }
      return {
        kind: "retry",
        error: new AppError("upstream:gitlab", `GitLab ${where} ${why}, after ${maxRetries} retries.`, {
          cause: error,
        }),
        waitMs: computeBackoffMs(attempt, backoff, random),
      };
    }
    if (response.ok)
      return { kind: "ok", response: { status: response.status, headers: response.headers, bytes } };

    const text = new TextDecoder().decode(bytes);
    if (response.status === 429) {
      const asked = parseGitLabRateLimitWaitMs(response.headers, now());
      const waitMs =
        asked === null ? computeBackoffMs(attempt, backoff, random) : asked + random() * backoff.baseMs;
      return { kind: "retry", error: errorForStatus(429, where, text, true), waitMs };
    }
    if (idempotent && (response.status === 408 || response.status >= 500)) {
      return {
        kind: "retry",
        error: errorForStatus(response.status, where, text, true),
        waitMs: computeBackoffMs(attempt, backoff, random),
      };
    }
    return { kind: "fail", error: errorForStatus(response.status, where, text, false) };
  };

  const send = async (method: Method, path: string, sendOptions: SendOptions = {}): Promise<RawResponse> => {
    const url = buildUrl(apiUrl, path, sendOptions.query);
    const where = `${method} ${path}`;
    for (let attempt = 0; ; attempt++) {
      sendOptions.signal?.throwIfAborted();
      const result = await attemptOnce(method, url, where, attempt, sendOptions);
      if (result.kind === "ok") return result.response;
      if (result.kind === "fail" || attempt >= maxRetries) throw result.error;
      await sleep(result.waitMs, sendOptions.signal);
    }
  };

  return {
    baseUrl,
    send,
    async json(method, path, schema, sendOptions) {
      const { bytes, headers } = await send(method, path, sendOptions);
      const where = `${method} ${path}`;
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch (error) {
        throw new AppError(
          "upstream:gitlab",
          `GitLab answered ${where} with a body that is not valid JSON.`,
          {
            cause: error,
          },
        );
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
          .join("; ");
        throw new AppError(
          "upstream:gitlab",
          `GitLab answered ${where} with an unexpected response shape (${redact(issues)}).`,
          { cause: parsed.error },
        );
      }
      return { value: parsed.data, headers };
    },
    requestCount: () => sent,
  };
}
