/** The data a sandbox Slack workspace serves: plain objects, seeded by tests and demos, changed by API calls. */

export interface SandboxSlackUser {
  /** `U…` (or `W…` on Enterprise Grid). */
  id: string;
  /** The handle (`anakamura`). */
  name: string;
  real_name?: string;
  /** Shown by `users.info` only to a token with `users:read.email`; found by `users.lookupByEmail`. */
  email?: string;
  /** IANA time zone (`Europe/Dublin`); `tz_label` and `tz_offset` are derived from it. */
  tz?: string;
  /** A deactivated account: still found by id, cannot be opened a DM with (`user_disabled`). */
  deleted?: boolean;
  is_bot?: boolean;
}

export interface SandboxSlackMessage {
  /** `seconds.micro` (`1767225600.000100`), unique in its channel: the message's id. */
  ts: string;
  /** The author's user id; the bot's user id for what the app posted. */
  user: string;
  /** Set on messages the app posted. */
  bot_id?: string;
  text: string;
  blocks?: unknown[];
}

export interface SandboxSlackChannel {
  /** `D…` for a DM, `G…` for a group DM, `C…` for a channel. */
  id: string;
  /** Channels only (`support-ops`). */
  name?: string;
  kind: "im" | "mpim" | "public" | "private";
  /** User ids in the conversation; the bot must be one to post in or read a channel. */
  members: string[];
  is_archived?: boolean;
  /** Oldest first. */
  messages: SandboxSlackMessage[];
}

export interface SandboxSlackToken {
  token: string;
  /** Bot scopes granted (`chat:write`, `im:write`, `users:read`, `users:read.email`, `im:history`…). */
  scopes: string[];
  /** `revoked`: `token_revoked`; `inactive`: the app or workspace is gone (`account_inactive`). Default active. */
  state?: "active" | "revoked" | "inactive";
}

export interface SlackSandboxState {
  team: { id: string; name: string; domain: string };
  /** The app's bot user: every token authenticates as it. */
  bot: { user_id: string; bot_id: string; app_id: string; name: string };
  tokens: SandboxSlackToken[];
  users: SandboxSlackUser[];
  channels: SandboxSlackChannel[];
}

/**
 * A one-shot fault for the next call of a method (after the token check): `429` answers HTTP 429 with
 * `Retry-After` (default 1 s) and `5xx` an HTTP error (default 500), neither applying the call; `hang`
 * applies the call and never answers (the connection is dropped after `ms`, default 30 s); `drop` applies
 * it and drops the connection before any byte; `truncate` applies it and cuts the answer off halfway
 * through its body.
 */
export type SlackFault =
  /** `retryAfter: null` sends no `Retry-After` at all. */
  | { kind: "429"; retryAfter?: number | null }
  | { kind: "5xx"; status?: number }
  | { kind: "hang"; ms?: number }
  | { kind: "drop" }
  | { kind: "truncate" };

export interface SlackSandboxOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Wall clock in ms, for message `ts` and the posting limit; tests pass a fake one. */
  now?: () => number;
  /** Messages `chat.postMessage` accepts per channel per rolling second; Slack's is about 1. */
  postsPerSecond?: number;
}

export interface SlackSandboxStats {
  /** API calls received (control routes not counted). */
  requests: number;
  /** Per Web API method (`chat.postMessage`). */
  byMethod: Record<string, number>;
  /** Keyed by HTTP status (`"200"`, `"429"`), or `"hang"` / `"drop"` / `"truncate"` for answers lost. */
  byStatus: Record<string, number>;
  /** `chat.postMessage` calls refused by the per-channel limit. */
  postsRateLimited: number;
}

export interface SlackSandbox {
  url: string;
  /** What `WebClient`'s `slackApiUrl` (SLACK_API_URL) should be: `${url}/api/`. */
  apiUrl: string;
  /** A deep copy of the served data as it is now. */
  state(): SlackSandboxState;
  stats(): SlackSandboxStats;
  /** The messages of one channel, oldest first (also `GET /__sandbox/messages?channel=`). */
  messages(channel: string): SandboxSlackMessage[];
  /** Adds users, or replaces those with the same id (also `POST /__sandbox/users`). */
  seedUsers(users: SandboxSlackUser[]): void;
  /** Sets a token's scopes, adding the token when unknown (also `POST /__sandbox/tokens`). */
  setTokenScopes(token: string, scopes: string[]): void;
  /** Someone writing in a conversation (a reply): not by the bot, outside the posting limit. */
  postAs(channel: string, user: string, text: string): SandboxSlackMessage;
  /** The next calls of `method` meet these faults, one each (also `POST /__sandbox/faults`). */
  failNext(method: string, ...faults: SlackFault[]): void;
  /** Back to the seed data; queued faults and the posting limit forgotten (also `POST /__sandbox/reset`). */
  reset(): void;
  stop(): Promise<void>;
}
