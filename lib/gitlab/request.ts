import { AppError, type ErrorCode } from "@/lib/errors";
import {
  createHttpClient,
  type FailureContext,
  type HttpClient,
  type HttpFailure,
  type HttpTuning,
} from "@/lib/http/request";
import { ErrorBodySchema, type ErrorBody } from "./schemas";

export const DEFAULT_GITLAB_URL = "https://gitlab.com";
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest error detail kept in a message. */
const MAX_DETAIL_CHARS = 300;

export interface GitLabRequesterOptions extends HttpTuning {
  /** The instance, without `/api/v4`. */
  baseUrl?: string;
  token: string;
  /** What error messages call the token, so people know which one to fix; default `GL_TOKEN`. */
  tokenName?: string;
  /** Per attempt, covering the response body too. */
  timeoutMs?: number;
}

export type GitLabRequester = Pick<HttpClient, "send" | "json" | "requestCount"> & {
  readonly baseUrl: string;
};

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

/** GitLab's words and codes for a failed request. */
function errorFor(tokenName: string) {
  return (failure: HttpFailure, { where, maxRetries, timeoutMs, redact }: FailureContext): AppError => {
    switch (failure.kind) {
      // A refused connection is backed off like any network error here (no `failFastWhenUnreachable`),
      // so `unreachable` does not come; it would read as one.
      case "unreachable":
      case "no answer": {
        const timedOut = failure.kind === "no answer" && failure.timedOut;
        const why = timedOut ? `timed out after ${timeoutMs} ms` : "failed (network error)";
        const retried = failure.kind === "no answer" && failure.retried;
        const after = retried
          ? `, after ${maxRetries} retries.`
          : "; not retried, because GitLab may have applied it already.";
        return new AppError("upstream:gitlab", `GitLab ${where} ${why}${after}`, { cause: failure.cause });
      }
      case "not json":
        return new AppError(
          "upstream:gitlab",
          `GitLab answered ${where} with a body that is not valid JSON.`,
          {
            cause: failure.cause,
          },
        );
      case "shape":
        return new AppError(
          "upstream:gitlab",
          `GitLab answered ${where} with an unexpected response shape (${failure.issues}).`,
          { cause: failure.cause },
        );
      case "status": {
        const { status } = failure;
        const body = parseErrorBody(failure.body);
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
        const after = failure.retried && maxRetries > 0 ? `, after ${maxRetries} retries` : "";
        const refused = status === 401 ? `GitLab refused the dashboard's token (${tokenName}): ` : "";
        return new AppError(code, `${refused}${sentence(`${seen}${after}`)}${advice}`);
      }
    }
  };
}

/** The one helper every GitLab call goes through: the instance's API URL, `PRIVATE-TOKEN` and GitLab's errors. */
export function createGitLabRequester(options: GitLabRequesterOptions): GitLabRequester {
  const baseUrl = (options.baseUrl ?? DEFAULT_GITLAB_URL).replace(/\/+$/, "");
  const http = createHttpClient({
    ...options,
    baseUrl: `${baseUrl}/api/v4`,
    headers: () => ({ "PRIVATE-TOKEN": options.token, Accept: "application/json" }),
    toError: errorFor(options.tokenName ?? "GL_TOKEN"),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // GitLab's `RateLimit-Reset` is an epoch time, read when `Retry-After` is missing.
    rateLimitReset: "epoch",
  });
  return { baseUrl, send: http.send, json: http.json, requestCount: http.requestCount };
}
