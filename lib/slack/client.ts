import {
  ErrorCode as SlackErrorCode,
  LogLevel,
  WebClient,
  type Logger,
  type RetryOptions,
  type WebAPICallResult,
} from "@slack/web-api";
import * as z from "zod";

import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { realSleep, type Sleep } from "@/lib/http/rate-limit";

/**
 * What `WebClient` does on its own, measured in `web-client.test.ts`, and why this adapter configures it
 * so: on a 429 it sleeps `Retry-After`, then adds its retry policy's back-off (1-2 s more by default) and
 * pauses every other call; it retries a 5xx, a dropped connection and a timeout for every method,
 * `chat.postMessage` included, so a post whose answer was lost is posted twice; it has no timeout unless
 * given one. Here every 429 is rejected at once (`rejectRateLimitedCalls`) and waited for by this adapter,
 * exactly `Retry-After`; reads are retried by the library on 5xx and network errors; a post is never
 * retried once it may have reached Slack: the caller looks for it (`findRecentMessage`) instead.
 */

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";
/** Per attempt, covering the answer's body. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Retries of a read after a 5xx or a network error (not of a post). */
export const DEFAULT_READ_RETRIES = 2;
/** First back-off step of a read's retry, doubling. */
export const DEFAULT_RETRY_BASE_MS = 500;
/** 429s waited out per call before giving up. */
export const DEFAULT_RATE_LIMIT_WAITS = 3;
/** Longest `Retry-After` waited for; a longer one fails the call at once. */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;
/**
 * How far back a post whose answer was lost is looked for: it was sent at most a timeout ago, so a few
 * minutes cover it with room for clock skew.
 */
export const LOST_ANSWER_WINDOW_MS = 10 * 60_000;
/** Pages of history read when looking for a lost post (100 messages each). */
const MAX_HISTORY_PAGES = 5;
const HISTORY_PAGE_SIZE = 100;
/** Slack refuses longer messages with `msg_too_long`. */
export const MAX_MESSAGE_CHARS = 40_000;

const TOKEN_NAME = "SLACK_BOT_TOKEN";

export interface SlackClientOptions {
  token: string;
  /** Slack's Web API base (`https://slack.com/api/`); the sandbox's `apiUrl` in tests and demos. */
  apiUrl?: string;
  timeoutMs?: number;
  readRetries?: number;
  retryBaseMs?: number;
  rateLimitWaits?: number;
  /** Waits out a 429's `Retry-After`; tests pass a fake one. */
  sleep?: Sleep;
  /**
   * The wall clock in ms, for the lost-post window. Never the demo clock: Slack stamps messages with its
   * own time.
   */
  now?: () => number;
  /** Where the library's own warnings go; default nowhere (every failure comes back as an AppError). */
  logger?: Logger;
}

export interface PostedMessage {
  channel: string;
  /** The message's id in its channel (`1767225600.000100`). */
  ts: string;
}

export interface FoundMessage extends PostedMessage {
  text: string;
}

export interface SlackUser {
  id: string;
  /** The handle (`anakamura`). */
  name: string;
  realName: string;
  /** Only with the `users:read.email` scope. */
  email: string | null;
  /** IANA time zone (`Europe/Dublin`), when Slack knows it. */
  tz: string | null;
  /** A deactivated account: it cannot be sent a DM. */
  deleted: boolean;
  isBot: boolean;
}

export interface FindRecentMessageOptions {
  /** Posted no longer ago than this, in ms; default LOST_ANSWER_WINDOW_MS. */
  withinMs?: number;
}

export interface SlackClient {
  /** The DM (one person) or group DM (2 to 8 people) with the bot; the same one again when it exists. */
  openDm(userIds: readonly string[]): Promise<string>;
  /**
   * Posts as the bot. Waits out a 429 (nothing was posted); any other failure is not retried, and when
   * the message may have been posted (`mayHaveBeenPosted`) the caller looks for it before trying again.
   */
  postMessage(channel: string, text: string, blocks?: readonly unknown[]): Promise<PostedMessage>;
  /** The message's link (`https://<workspace>.slack.com/archives/<channel>/p<ts>`). */
  permalink(channel: string, ts: string): Promise<string>;
  /** The workspace member with that email, or null when there is none (`users_not_found`). */
  findUserByEmail(email: string): Promise<SlackUser | null>;
  userById(id: string): Promise<SlackUser>;
  /**
   * The newest message in `channel` posted by this app's bot in the last `withinMs` whose text contains
   * `marker`, or null: where to find a post whose answer was lost, so it is not posted twice.
   */
  findRecentMessage(
    channel: string,
    marker: string,
    options?: FindRecentMessageOptions,
  ): Promise<FoundMessage | null>;
}

const PostedSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
const OpenedSchema = z.object({ channel: z.object({ id: z.string().min(1) }) });
const PermalinkSchema = z.object({ permalink: z.string().min(1) });
const AuthSchema = z.object({ user_id: z.string().min(1), bot_id: z.string().optional() });
const UserSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  tz: z.string().nullish(),
  profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
});
const UserResultSchema = z.object({ user: UserSchema });
const HistorySchema = z.object({
  messages: z.array(
    z.object({
      ts: z.string(),
      text: z.string().optional(),
      user: z.string().optional(),
      bot_id: z.string().optional(),
    }),
  ),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

function toUser(user: z.infer<typeof UserSchema>): SlackUser {
  return {
    id: user.id,
    name: user.name,
    realName: user.real_name ?? user.profile?.real_name ?? user.name,
    email: user.profile?.email ?? null,
    tz: user.tz ?? null,
    deleted: user.deleted ?? false,
    isBot: user.is_bot ?? false,
  };
}

/** What a Slack call was about, for messages: `chat.postMessage to D0123`. */
interface CallContext {
  method: string;
  /** The conversation or user the call named. */
  subject?: string;
  /** chat.postMessage: its length, for `msg_too_long`. */
  textLength?: number;
  timeoutMs: number;
  post: boolean;
}

/** A library error's `code` and the fields this adapter reads; anything else reads as undefined. */
interface LibraryError {
  code?: unknown;
  data?: { error?: unknown; needed?: unknown; provided?: unknown };
  statusCode?: unknown;
  retryAfter?: unknown;
  original?: { name?: unknown };
}

const asLibraryError = (error: unknown): LibraryError =>
  typeof error === "object" && error !== null ? (error as LibraryError) : {};

/**
 * A 429 without a usable `Retry-After`: the library gives it up at once with a plain Error of these words
 * (pinned in `web-client.test.ts`). Nothing was posted.
 */
const isRateLimitWithoutWait = (error: unknown): boolean =>
  error instanceof Error &&
  !("code" in error) &&
  error.message.startsWith("Retry header did not contain a valid timeout");

const TOKEN_PROBLEMS: Record<string, string> = {
  not_authed: `no token was sent: set ${TOKEN_NAME} to the app's bot token (xoxb-…)`,
  invalid_auth: `the token is not valid: check that ${TOKEN_NAME} is the app's bot token (xoxb-…), copied whole`,
  account_inactive: `the token belongs to a deactivated app or workspace: install the app again and put its new bot token in ${TOKEN_NAME}`,
  token_revoked: `the token was revoked (the app was uninstalled or its token rotated): put the current bot token in ${TOKEN_NAME}`,
  token_expired: `the token has expired: put a current bot token in ${TOKEN_NAME}`,
};

/** Slack's answer `{ ok: false, error }` as a sentence a person can act on. */
function platformMessage(slackError: string, data: LibraryError["data"], ctx: CallContext): string {
  const where = ctx.subject ? `${ctx.method} (${ctx.subject})` : ctx.method;
  const tokenProblem = TOKEN_PROBLEMS[slackError];
  if (tokenProblem !== undefined)
    return `Slack refused the dashboard's token (${TOKEN_NAME}) for ${where}: ${tokenProblem}.`;
  switch (slackError) {
    case "missing_scope": {
      const needed = typeof data?.needed === "string" && data.needed !== "" ? data.needed : "unknown";
      const provided = typeof data?.provided === "string" && data.provided !== "" ? data.provided : "none";
      return `${TOKEN_NAME} lacks the \`${needed}\` scope that ${ctx.method} needs (it has: ${provided}). Add \`${needed}\` to the Slack app's bot token scopes, reinstall the app, and put the new token in ${TOKEN_NAME}.`;
    }
    case "channel_not_found":
      return `Slack has no conversation ${ctx.subject ?? ""} the app can see (${ctx.method}): it was deleted, or the app is not in it.`;
    case "not_in_channel":
      return `The Slack app is not a member of ${ctx.subject ?? "the conversation"} (${ctx.method}): invite the app to it.`;
    case "is_archived":
      return `The Slack conversation ${ctx.subject ?? ""} is archived; nothing can be posted in it (${ctx.method}).`;
    case "msg_too_long":
      return `The message is too long for Slack (${ctx.textLength ?? "?"} characters; Slack takes at most ${MAX_MESSAGE_CHARS}).`;
    case "user_not_found":
      return `Slack has no user ${ctx.subject ?? ""} (${ctx.method}).`;
    case "users_not_found":
      return `No Slack user has the email ${ctx.subject ?? ""} (${ctx.method}).`;
    case "user_disabled":
      return `The Slack account ${ctx.subject ?? ""} is deactivated; it cannot be sent a DM (${ctx.method}).`;
    case "ratelimited":
      return `Slack rate-limited ${where}.`;
    default:
      return `Slack refused ${where}: ${slackError}.`;
  }
}

/** Any failure of a Slack call as AppError `upstream:slack`, the library's error kept as its cause. */
function toAppError(error: unknown, ctx: CallContext): AppError {
  if (error instanceof AppError) return error;
  const e = asLibraryError(error);
  const where = ctx.subject ? `${ctx.method} (${ctx.subject})` : ctx.method;
  const mayHavePosted = ctx.post ? " The message may have been posted; it was not sent again." : "";
  let message: string;
  switch (e.code) {
    case SlackErrorCode.PlatformError:
      message = platformMessage(
        typeof e.data?.error === "string" ? e.data.error : "unknown_error",
        e.data,
        ctx,
      );
      break;
    case SlackErrorCode.RateLimitedError:
      message = `Slack kept rate-limiting ${where} (it asked to wait ${String(e.retryAfter)} s); try again later.`;
      break;
    case SlackErrorCode.HTTPError:
      message = `Slack answered HTTP ${String(e.statusCode)} to ${where}.${mayHavePosted}`;
      break;
    case SlackErrorCode.RequestError: {
      const timedOut = e.original?.name === "TimeoutError" || e.original?.name === "AbortError";
      const why = timedOut ? `timed out after ${ctx.timeoutMs} ms` : "failed (network error)";
      message = `Slack ${where} ${why}.${mayHavePosted}`;
      break;
    }
    default:
      message = isRateLimitWithoutWait(error)
        ? `Slack rate-limited ${where} without saying how long to wait; try again later.`
        : // The library reads the body outside its own error handling: a cut-off answer lands here.
          `Slack's answer to ${where} broke off.${mayHavePosted}`;
  }
  return new AppError("upstream:slack", message, { cause: error });
}

/**
 * Whether a failed `postMessage` may have posted its message anyway (a lost answer, a timeout, a 5xx), so
 * the message must be looked for (`findRecentMessage`) before posting it again. False when Slack said no
 * (`ok: false`) or rate-limited it: then nothing was posted.
 */
export function mayHaveBeenPosted(error: unknown): boolean {
  if (!(error instanceof AppError) || error.code !== "upstream:slack") return false;
  const code = asLibraryError(error.cause).code;
  return (
    code !== SlackErrorCode.PlatformError &&
    code !== SlackErrorCode.RateLimitedError &&
    !isRateLimitWithoutWait(error.cause)
  );
}

const SILENT_LOGGER: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/**
 * A Slack Web API client for one bot token, over Slack's own `WebClient`. Holds the token: server code
 * only. Every failure is an AppError `upstream:slack` whose message names what to fix.
 */
export function createSlackClient(options: SlackClientOptions): SlackClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const rateLimitWaits = options.rateLimitWaits ?? DEFAULT_RATE_LIMIT_WAITS;
  const base = {
    slackApiUrl: options.apiUrl ?? DEFAULT_SLACK_API_URL,
    timeout: timeoutMs,
    rejectRateLimitedCalls: true,
    logger: options.logger ?? SILENT_LOGGER,
    // Only Slack's own host or the configured one: never a URL a caller hands over as a method.
    allowAbsoluteUrls: false,
  };
  const readRetry: RetryOptions = {
    retries: options.readRetries ?? DEFAULT_READ_RETRIES,
    minTimeout: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    factor: 2,
    randomize: true,
  };
  const reader = new WebClient(options.token, { ...base, retryConfig: readRetry });
  const poster = new WebClient(options.token, { ...base, retryConfig: { retries: 0 } });

  /** One call, a 429 waited out (`Retry-After`, at most MAX_RATE_LIMIT_WAIT_MS) up to `rateLimitWaits` times. */
  async function call<T>(
    schema: z.ZodType<T>,
    ctx: Omit<CallContext, "timeoutMs" | "post">,
    args: Record<string, unknown>,
    post = false,
  ): Promise<T> {
    const context: CallContext = { ...ctx, timeoutMs, post };
    const client = post ? poster : reader;
    for (let waits = 0; ; waits++) {
      let result: WebAPICallResult;
      try {
        result = await client.apiCall(ctx.method, args);
      } catch (error) {
        const e = asLibraryError(error);
        const waitMs = typeof e.retryAfter === "number" ? e.retryAfter * 1000 : Number.NaN;
        const limited = e.code === SlackErrorCode.RateLimitedError;
        if (limited && waits < rateLimitWaits && waitMs >= 0 && waitMs <= MAX_RATE_LIMIT_WAIT_MS) {
          await sleep(waitMs);
          continue;
        }
        throw toAppError(error, context);
      }
      const parsed = schema.safeParse(result);
      if (!parsed.success) {
        throw new AppError(
          "upstream:slack",
          `Slack answered ${ctx.method} with an unexpected shape (${parsed.error.issues.map((i) => i.path.join(".") || i.message).join(", ")}).`,
        );
      }
      return parsed.data;
    }
  }

  let me: Promise<z.infer<typeof AuthSchema>> | undefined;
  /** The bot's own ids, asked once (a failure is asked again next time). */
  const whoAmI = () => {
    me ??= call(AuthSchema, { method: "auth.test" }, {}).catch((error: unknown) => {
      me = undefined;
      throw error;
    });
    return me;
  };

  return {
    async openDm(userIds) {
      const users = userIds.join(",");
      const opened = await call(OpenedSchema, { method: "conversations.open", subject: users }, { users });
      return opened.channel.id;
    },

    async postMessage(channel, text, blocks) {
      const args = { channel, text, ...(blocks === undefined ? {} : { blocks }) };
      const ctx = { method: "chat.postMessage", subject: channel, textLength: text.length };
      const posted = await call(PostedSchema, ctx, args, true);
      return { channel: posted.channel, ts: posted.ts };
    },

    async permalink(channel, ts) {
      const found = await call(
        PermalinkSchema,
        { method: "chat.getPermalink", subject: channel },
        { channel, message_ts: ts },
      );
      return found.permalink;
    },

    async findUserByEmail(email) {
      try {
        const found = await call(
          UserResultSchema,
          { method: "users.lookupByEmail", subject: email },
          { email },
        );
        return toUser(found.user);
      } catch (error) {
        const cause = error instanceof AppError ? error.cause : error;
        if (asLibraryError(cause).data?.error === "users_not_found") return null;
        throw error;
      }
    },

    async userById(id) {
      const found = await call(UserResultSchema, { method: "users.info", subject: id }, { user: id });
      return toUser(found.user);
    },

    async findRecentMessage(channel, marker, findOptions = {}) {
      const bot = await whoAmI();
      const withinMs = findOptions.withinMs ?? LOST_ANSWER_WINDOW_MS;
      const oldest = ((now() - withinMs) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
        const history = await call(
          HistorySchema,
          { method: "conversations.history", subject: channel },
          { channel, oldest, limit: HISTORY_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        );
        // Newest first: the first match is the newest.
        const found = history.messages.find(
          (m) =>
            (m.user === bot.user_id || (bot.bot_id !== undefined && m.bot_id === bot.bot_id)) &&
            (m.text ?? "").includes(marker),
        );
        if (found) return { channel, ts: found.ts, text: found.text ?? "" };
        cursor = history.response_metadata?.next_cursor;
        if (!history.has_more || !cursor) return null;
      }
      return null;
    },
  };
}

/** The Slack client the environment configures (SLACK_BOT_TOKEN, SLACK_API_URL), or null without a token. */
export function slackClientFromEnv(
  env: Pick<Env, "SLACK_BOT_TOKEN" | "SLACK_API_URL">,
  options: Omit<SlackClientOptions, "token" | "apiUrl"> = {},
): SlackClient | null {
  if (!env.SLACK_BOT_TOKEN) return null;
  return createSlackClient({
    ...options,
    token: env.SLACK_BOT_TOKEN,
    ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
  });
}
