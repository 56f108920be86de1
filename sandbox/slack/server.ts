/**
 * A sandbox Slack: a real HTTP server on loopback that answers the Web API methods this project uses
 * (`auth.test`, `conversations.open`, `conversations.history`, `chat.postMessage`, `chat.getPermalink`,
 * `users.lookupByEmail`, `users.info`) with Slack's shapes: form-encoded or JSON bodies, the token in
 * `Authorization: Bearer` (or a `token` parameter), `{ ok: false, error }` with HTTP 200 for every refusal,
 * `missing_scope` with `needed` and `provided`, HTTP 429 with `Retry-After` past Slack's one message per
 * second per channel, and seeded faults (429, 5xx, answers lost after the call was applied). State lives in
 * memory, seeded from a plain object.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as z from "zod";
import { createConnectionFaults, DEFAULT_HOLD_MS } from "../gitlab/connection-faults";
import type {
  SandboxSlackChannel,
  SandboxSlackMessage,
  SandboxSlackUser,
  SlackFault,
  SlackSandbox,
  SlackSandboxOptions,
  SlackSandboxState,
  SlackSandboxStats,
} from "./types";
import { listenOnLoopback, readRequestBody, writeReply } from "../loopback";

/** Permalinks use a reserved domain: nothing serves them, nobody mistakes them for real. */
export const SANDBOX_WORKSPACE_URL = "https://workspace.slack.sandbox.example";
export const SLACK_POSTS_PER_SECOND = 1;
/** Slack truncates past 40,000 characters; it refuses a message that long with `msg_too_long`. */
export const MAX_TEXT_LENGTH = 40_000;
const MAX_BODY_BYTES = 1_000_000;
const DEFAULT_HISTORY_LIMIT = 100;
const MAX_HISTORY_LIMIT = 999;
const MAX_DM_USERS = 8;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Lost = "hang" | "drop" | "truncate";

interface Outcome {
  reply: Reply;
  lost: { kind: Lost; ms?: number } | null;
}

type Params = Record<string, unknown>;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body),
});
const ok = (body: Record<string, unknown> = {}) => json(200, { ok: true, ...body });
/** Slack refuses with HTTP 200 and `ok: false`; the HTTP status says nothing. */
const refuse = (error: string, extra: Record<string, unknown> = {}) =>
  json(200, { ok: false, error, ...extra });
const missingArgument = (name: string) =>
  refuse("invalid_arguments", {
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  });

/** The scope a call needs, or null for none. */
type ScopeRule = (params: Params, channel: SandboxSlackChannel | undefined) => string | null;

const HISTORY_SCOPE: Record<SandboxSlackChannel["kind"], string> = {
  im: "im:history",
  mpim: "mpim:history",
  public: "channels:history",
  private: "groups:history",
};

const SCOPES: Record<string, ScopeRule> = {
  "auth.test": () => null,
  "chat.getPermalink": () => null,
  "chat.postMessage": () => "chat:write",
  "conversations.open": (params) => (stringParam(params, "users").includes(",") ? "mpim:write" : "im:write"),
  "conversations.history": (_params, channel) => HISTORY_SCOPE[channel?.kind ?? "public"],
  "users.info": () => "users:read",
  "users.lookupByEmail": () => "users:read.email",
};

const FaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("429"), retryAfter: z.number().int().min(0).nullable().optional() }),
  z.object({ kind: z.literal("5xx"), status: z.number().int().min(500).max(599).optional() }),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).optional() }),
  z.object({ kind: z.literal("drop") }),
  z.object({ kind: z.literal("truncate") }),
]);
const FaultsBodySchema = z.object({ method: z.string().min(1), faults: z.array(FaultSchema).min(1) });
const UserSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  real_name: z.string().optional(),
  email: z.string().optional(),
  tz: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
});
const UsersBodySchema = z.object({ users: z.array(UserSchema) });
const TokenBodySchema = z.object({ token: z.string().min(1), scopes: z.array(z.string()) });
const PostAsBodySchema = z.object({ user: z.string().min(1), text: z.string().min(1) });

function stringParam(params: Params, name: string): string {
  const value = params[name];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

/** Form values are strings, so `blocks` arrives as JSON text; a JSON body carries the array itself. */
function blocksParam(params: Params): unknown[] | null | undefined {
  const value = params.blocks;
  if (value === undefined || value === "") return undefined;
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return Array.isArray(parsed) ? parsed : null;
}

/** `America/New_York` at `at` → Slack's `tz_label` and `tz_offset` (seconds east of UTC). */
function zoneOf(tz: string, at: number): { tz_label: string; tz_offset: number } {
  try {
    const parts = (style: "long" | "longOffset") =>
      new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: style })
        .formatToParts(at)
        .find((p) => p.type === "timeZoneName")?.value ?? "";
    const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(parts("longOffset"));
    const seconds = offset
      ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60)
      : 0;
    return { tz_label: parts("long"), tz_offset: seconds };
  } catch {
    return { tz_label: "Coordinated Universal Time", tz_offset: 0 };
  }
}

/**
 * Starts a sandbox Slack on loopback. Resolves once it listens; `apiUrl` then holds the real port.
 *
 * Order of a Web API call: token (`not_authed`, `invalid_auth`, `token_revoked`, `account_inactive`) →
 * queued faults of the method → the token's scopes (`missing_scope`) → the method (the posting limit for
 * `chat.postMessage`) → for a `hang`, `drop` or `truncate` fault, the answer lost after the call applied.
 */
export async function startSlackSandbox(
  seed: SlackSandboxState,
  options: SlackSandboxOptions = {},
): Promise<SlackSandbox> {
  const initial = structuredClone(seed);
  let state: SlackSandboxState = structuredClone(initial);
  const now = options.now ?? Date.now;
  const postsPerSecond = options.postsPerSecond ?? SLACK_POSTS_PER_SECOND;
  const queued = new Map<string, SlackFault[]>();
  /** Post times per channel, oldest first, for the per-channel limit. */
  const postTimes = new Map<string, number[]>();
  const connection = createConnectionFaults();
  let lastTs = 0;
  let nextChannel = 1;
  let stats: SlackSandboxStats = { requests: 0, byMethod: {}, byStatus: {}, postsRateLimited: 0 };

  const reset = () => {
    state = structuredClone(initial);
    queued.clear();
    postTimes.clear();
  };

  /** A `ts` from the clock, in microseconds, strictly after every earlier one. */
  const newTs = (): string => {
    lastTs = Math.max(now() * 1000, lastTs + 1);
    const micros = String(Math.floor(lastTs)).padStart(7, "0");
    return `${micros.slice(0, -6)}.${micros.slice(-6)}`;
  };

  const findUser = (id: string) => state.users.find((u) => u.id === id);
  const findChannel = (id: string) => state.channels.find((c) => c.id === id);
  const isBotIn = (channel: SandboxSlackChannel) => channel.members.includes(state.bot.user_id);

  const renderUser = (u: SandboxSlackUser, withEmail: boolean) => {
    const tz = u.tz ?? "UTC";
    const realName = u.real_name ?? u.name;
    return {
      id: u.id,
      team_id: state.team.id,
      name: u.name,
      deleted: u.deleted ?? false,
      real_name: realName,
      tz,
      ...zoneOf(tz, now()),
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: u.name,
        display_name_normalized: u.name,
        ...(withEmail && u.email !== undefined ? { email: u.email } : {}),
        team: state.team.id,
      },
      is_admin: false,
      is_owner: false,
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      updated: Math.floor(now() / 1000),
    };
  };

  const renderMessage = (m: SandboxSlackMessage) => ({
    type: "message",
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: state.team.id,
    ...(m.bot_id === undefined
      ? {}
      : {
          bot_id: m.bot_id,
          app_id: state.bot.app_id,
          bot_profile: {
            id: m.bot_id,
            app_id: state.bot.app_id,
            name: state.bot.name,
            deleted: false,
            team_id: state.team.id,
          },
        }),
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
  });

  const renderChannel = (c: SandboxSlackChannel) =>
    c.kind === "im"
      ? {
          id: c.id,
          created: Math.floor(now() / 1000),
          is_im: true,
          is_org_shared: false,
          user: c.members.find((m) => m !== state.bot.user_id) ?? state.bot.user_id,
          is_user_deleted: false,
          priority: 0,
        }
      : { id: c.id, name: c.name, is_channel: c.kind === "public", is_mpim: c.kind === "mpim" };

  /** Rolling-second count of the channel's posts; refuses one more when the second is full. */
  const takePostSlot = (channel: string): Reply | null => {
    const t = now();
    const times = (postTimes.get(channel) ?? []).filter((at) => at > t - 1000);
    postTimes.set(channel, times);
    if (times.length >= postsPerSecond) {
      stats.postsRateLimited++;
      return json(429, { ok: false, error: "ratelimited" }, { "retry-after": "1" });
    }
    times.push(t);
    return null;
  };

  function openConversation(params: Params): Reply {
    const ids = stringParam(params, "users")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== "");
    if (ids.length === 0) return refuse("users_list_not_supplied");
    if (ids.length > MAX_DM_USERS) return refuse("too_many_users");
    for (const id of ids) {
      const user = findUser(id);
      if (!user) return refuse("user_not_found");
      if (user.deleted) return refuse("user_disabled");
    }
    const members = [...new Set([state.bot.user_id, ...ids])].sort();
    const kind = ids.length === 1 ? "im" : "mpim";
    const existing = state.channels.find(
      (c) =>
        c.kind === kind &&
        c.members.length === members.length &&
        [...c.members].sort().join() === members.join(),
    );
    const full = params.return_im === true || params.return_im === "true" || params.return_im === "1";
    if (existing) {
      return ok({
        no_op: true,
        already_open: true,
        channel: full ? renderChannel(existing) : { id: existing.id },
      });
    }
    const prefix = kind === "im" ? "D" : "G";
    const channel: SandboxSlackChannel = {
      id: `${prefix}0SANDBOX${String(nextChannel++).padStart(3, "0")}`,
      kind,
      members,
      messages: [],
    };
    state.channels.push(channel);
    return ok({ channel: full ? renderChannel(channel) : { id: channel.id } });
  }

  function postMessage(params: Params, channel: SandboxSlackChannel | undefined): Reply {
    if (!channel) return refuse("channel_not_found");
    if (channel.is_archived) return refuse("is_archived");
    if (!isBotIn(channel)) return refuse("not_in_channel");
    const text = stringParam(params, "text");
    const blocks = blocksParam(params);
    if (blocks === null) return refuse("invalid_blocks");
    if (text === "" && blocks === undefined) return refuse("no_text");
    if (text.length > MAX_TEXT_LENGTH) return refuse("msg_too_long");
    const limited = takePostSlot(channel.id);
    if (limited) return limited;
    const message: SandboxSlackMessage = {
      ts: newTs(),
      user: state.bot.user_id,
      bot_id: state.bot.bot_id,
      text,
      ...(blocks === undefined ? {} : { blocks }),
    };
    channel.messages.push(message);
    return ok({ channel: channel.id, ts: message.ts, message: renderMessage(message) });
  }

  function history(params: Params, channel: SandboxSlackChannel | undefined): Reply {
    if (!channel) return refuse("channel_not_found");
    if (!isBotIn(channel)) return refuse("not_in_channel");
    const limitRaw = Number(stringParam(params, "limit") || DEFAULT_HISTORY_LIMIT);
    const limit =
      Number.isInteger(limitRaw) && limitRaw > 0
        ? Math.min(limitRaw, MAX_HISTORY_LIMIT)
        : DEFAULT_HISTORY_LIMIT;
    const inclusive = ["true", "1"].includes(stringParam(params, "inclusive")) || params.inclusive === true;
    const oldest = stringParam(params, "oldest");
    const latest = stringParam(params, "latest");
    const after = (ts: string) =>
      oldest === "" ? true : inclusive ? Number(ts) >= Number(oldest) : Number(ts) > Number(oldest);
    const before = (ts: string) =>
      latest === "" ? true : inclusive ? Number(ts) <= Number(latest) : Number(ts) < Number(latest);
    const matching = [...channel.messages].reverse().filter((m) => after(m.ts) && before(m.ts));
    const cursor = stringParam(params, "cursor");
    const offset =
      cursor === "" ? 0 : Number(/^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString())?.[1] ?? NaN);
    if (!Number.isInteger(offset)) return refuse("invalid_cursor");
    const page = matching.slice(offset, offset + limit);
    const hasMore = offset + limit < matching.length;
    return ok({
      messages: page.map(renderMessage),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: {
        next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "",
      },
    });
  }

  function call(method: string, params: Params, scopes: readonly string[]): Reply {
    const channel = findChannel(stringParam(params, "channel"));
    switch (method) {
      case "auth.test":
        return ok({
          url: `${SANDBOX_WORKSPACE_URL}/`,
          team: state.team.name,
          user: state.bot.name,
          team_id: state.team.id,
          user_id: state.bot.user_id,
          bot_id: state.bot.bot_id,
          is_enterprise_install: false,
        });
      case "conversations.open":
        return openConversation(params);
      case "chat.postMessage":
        return postMessage(params, channel);
      case "conversations.history":
        return history(params, channel);
      case "chat.getPermalink": {
        const ts = stringParam(params, "message_ts");
        if (!channel) return refuse("channel_not_found");
        if (ts === "") return missingArgument("message_ts");
        if (!channel.messages.some((m) => m.ts === ts)) return refuse("message_not_found");
        return ok({
          channel: channel.id,
          permalink: `${SANDBOX_WORKSPACE_URL}/archives/${channel.id}/p${ts.replace(".", "")}`,
        });
      }
      case "users.lookupByEmail": {
        const email = stringParam(params, "email").trim().toLowerCase();
        if (email === "") return missingArgument("email");
        const user = state.users.find((u) => u.email?.toLowerCase() === email);
        return user ? ok({ user: renderUser(user, true) }) : refuse("users_not_found");
      }
      case "users.info": {
        const id = stringParam(params, "user");
        if (id === "") return missingArgument("user");
        const user = findUser(id);
        return user
          ? ok({ user: renderUser(user, scopes.includes("users:read.email")) })
          : refuse("user_not_found");
      }
      default:
        return json(404, { ok: false, error: "unknown_method", req_method: method });
    }
  }

  function failure(fault: SlackFault): Reply | null {
    if (fault.kind === "429") {
      const wait = fault.retryAfter === undefined ? 1 : fault.retryAfter;
      return json(
        429,
        { ok: false, error: "ratelimited" },
        wait === null ? {} : { "retry-after": String(wait) },
      );
    }
    if (fault.kind === "5xx") {
      const status = fault.status ?? 500;
      return {
        status,
        headers: { "content-type": "text/html" },
        body: `<html><body>${status}</body></html>`,
      };
    }
    return null;
  }

  const postAs = (channelId: string, user: string, text: string): Reply | SandboxSlackMessage => {
    const channel = findChannel(channelId);
    if (!channel) return refuse("channel_not_found");
    if (!findUser(user)) return refuse("user_not_found");
    const message = { ts: newTs(), user, text };
    channel.messages.push(message);
    return message;
  };

  const setTokenScopes = (token: string, scopes: string[]) => {
    const known = state.tokens.find((t) => t.token === token);
    if (known) known.scopes = [...scopes];
    else state.tokens.push({ token, scopes: [...scopes] });
  };

  const seedUsers = (users: SandboxSlackUser[]) => {
    for (const user of users) {
      const at = state.users.findIndex((u) => u.id === user.id);
      if (at === -1) state.users.push(structuredClone(user));
      else state.users[at] = structuredClone(user);
    }
  };

  const failNext = (method: string, ...faults: SlackFault[]) => {
    queued.set(method, [...(queued.get(method) ?? []), ...faults]);
  };

  /**
   * Control routes for tests and demos (not Slack's API, not counted in stats, no token): `GET state`,
   * `GET messages[?channel=]`, `POST users {users}`, `POST tokens {token, scopes}`,
   * `POST faults {method, faults}`, `POST channels/:id/messages {user, text}`, `POST reset`.
   */
  function control(method: string, parts: string[], query: URLSearchParams, body: unknown): Reply {
    const [a, b, c] = parts;
    const invalid = (error: z.ZodError) =>
      json(400, { ok: false, error: "invalid_arguments", detail: error.message });
    if (a === "state" && method === "GET") return json(200, state);
    if (a === "messages" && method === "GET") {
      const channel = query.get("channel");
      if (channel === null)
        return json(200, Object.fromEntries(state.channels.map((ch) => [ch.id, ch.messages])));
      const found = findChannel(channel);
      return found ? json(200, found.messages) : json(404, { ok: false, error: "channel_not_found" });
    }
    if (method !== "POST") return json(404, { ok: false, error: "unknown_control_route" });
    if (a === "reset") {
      reset();
      return json(200, { ok: true });
    }
    if (a === "users") {
      const parsed = UsersBodySchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      seedUsers(parsed.data.users);
      return json(200, { ok: true });
    }
    if (a === "tokens") {
      const parsed = TokenBodySchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      setTokenScopes(parsed.data.token, parsed.data.scopes);
      return json(200, { ok: true });
    }
    if (a === "faults") {
      const parsed = FaultsBodySchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      failNext(parsed.data.method, ...parsed.data.faults);
      return json(200, { ok: true });
    }
    if (a === "channels" && b !== undefined && c === "messages") {
      const parsed = PostAsBodySchema.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const posted = postAs(b, parsed.data.user, parsed.data.text);
      return "status" in posted ? posted : json(200, posted);
    }
    return json(404, { ok: false, error: "unknown_control_route" });
  }

  /** Query parameters, then the body: form-encoded, or JSON (an object). */
  function readParams(req: IncomingMessage, url: URL, body: Buffer): Params | null {
    const params: Params = Object.fromEntries(url.searchParams);
    if (body.byteLength === 0) return params;
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (type.startsWith("application/json")) {
      try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
          ? { ...params, ...(parsed as Params) }
          : null;
      } catch {
        return null;
      }
    }
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  }

  const answered = (reply: Reply): Outcome => ({ reply, lost: null });

  function handle(req: IncomingMessage, body: Buffer): Outcome {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const parts = url.pathname.split("/").slice(1);
    const params = readParams(req, url, body);
    if (parts[0] === "__sandbox") {
      return answered(control(req.method ?? "GET", parts.slice(1), url.searchParams, params ?? {}));
    }
    const method = parts[0] === "api" && parts.length === 2 ? (parts[1] ?? "") : "";
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    if (params === null) return answered(refuse("invalid_json"));
    if (!(method in SCOPES))
      return answered(json(404, { ok: false, error: "unknown_method", req_method: method }));

    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const presented =
      bearer ?? (typeof params.token === "string" && params.token !== "" ? params.token : undefined);
    if (presented === undefined) return answered(refuse("not_authed"));
    const token = state.tokens.find((t) => t.token === presented);
    if (!token) return answered(refuse("invalid_auth"));
    if (token.state === "revoked") return answered(refuse("token_revoked"));
    if (token.state === "inactive") return answered(refuse("account_inactive"));
    const scopeHeaders = { "x-oauth-scopes": token.scopes.join(",") };

    const fault = queued.get(method)?.shift();
    const failed = fault ? failure(fault) : null;
    if (failed) return answered(failed);

    const needed = SCOPES[method]?.(params, findChannel(stringParam(params, "channel"))) ?? null;
    const headers = { ...scopeHeaders, "x-accepted-oauth-scopes": needed ?? "" };
    if (needed !== null && !token.scopes.includes(needed)) {
      return answered(
        json(200, { ok: false, error: "missing_scope", needed, provided: token.scopes.join(",") }, headers),
      );
    }
    const reply = call(method, params, token.scopes);
    reply.headers = { ...headers, ...reply.headers };
    if (!fault || fault.kind === "429" || fault.kind === "5xx") return answered(reply);
    return { reply, lost: { kind: fault.kind, ...(fault.kind === "hang" ? { ms: fault.ms } : {}) } };
  }

  const server = createServer((req, res: ServerResponse) => {
    readRequestBody(req, MAX_BODY_BYTES, (body) => {
      const { reply, lost } =
        body === null
          ? answered({
              status: 413,
              headers: { "content-type": "text/plain" },
              body: "Request Entity Too Large",
            })
          : handle(req, body);
      if (!(req.url ?? "").startsWith("/__sandbox/")) {
        const key = lost?.kind ?? String(reply.status);
        stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
      }
      if (lost?.kind === "hang") return connection.hold(req, lost.ms ?? DEFAULT_HOLD_MS);
      if (lost?.kind === "drop") return connection.reset(req, res);
      if (lost?.kind === "truncate") return connection.reset(req, res, reply);
      writeReply(res, reply, new Date(now()));
    });
  });
  const listening = await listenOnLoopback(server, options);
  const url = listening.url;

  return {
    url,
    apiUrl: `${url}/api/`,
    state: () => structuredClone(state),
    stats: () => ({ ...stats, byMethod: { ...stats.byMethod }, byStatus: { ...stats.byStatus } }),
    messages: (channel) => structuredClone(findChannel(channel)?.messages ?? []),
    seedUsers,
    setTokenScopes,
    postAs: (channel, user, text) => {
      const posted = postAs(channel, user, text);
      if ("status" in posted) throw new Error(`Sandbox Slack: ${posted.body}`);
      return structuredClone(posted);
    },
    failNext,
    reset,
    stop: async () => {
      connection.clear();
      await listening.close();
      stats = { requests: 0, byMethod: {}, byStatus: {}, postsRateLimited: 0 };
    },
  };
}
