import "server-only";
import { getServerSession } from "next-auth";
import { decode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { loadAuditConfig } from "@/lib/config/load";
import { getEnv, type Env } from "@/lib/env";
import { loadConfiguredRoster, type RosterConfig } from "@/lib/gitlab/roster-source";
import type { RosterEntry, RosterPerson } from "@/lib/roster/schema";
import { buildAuthOptions, type AuthOptions } from "./options";
import { parseSessionUser, type SessionUser } from "./roles";
import { createRosterCache } from "./roster-cache";
import { rosterPathStamp } from "./roster-stamp";
import { createSessionCache } from "./session-cache";

/** How long a roster read serves sign-ins and role checks before it is read again. */
export const ROSTER_CACHE_TTL_MS = 60_000;

/** The roster as sign-in read it: its people, their entries (where each is written) and where it lives. */
export interface RosterDirectory {
  people: readonly RosterPerson[];
  entries: readonly RosterEntry[];
  config: RosterConfig;
}

/**
 * What sign-in and every session read share: the roster's cached read, the last read from disk, the
 * sessions already read and the next-auth options. Kept on globalThis because Next loads this module once
 * per bundle (server components, route handlers, instrumentation): each copy read the roster for itself,
 * over a second of CPU at 10,000 people, and held it again in memory.
 */
interface AuthState {
  rosterLookup?: () => Promise<RosterDirectory>;
  lastDiskRead?: { stamp: string; directory: RosterDirectory };
  authOptions?: AuthOptions;
  sessionCache: ReturnType<typeof createSessionCache>;
}

const holder = globalThis as typeof globalThis & { __auditAuthState?: AuthState };
const state: AuthState = (holder.__auditAuthState ??= {
  sessionCache: createSessionCache({ now: () => Date.now() }),
});

/**
 * The roster named by the audit config at AUDIT_CONFIG, cached for ROSTER_CACHE_TTL_MS. A roster kept in
 * GitLab is read with GL_TOKEN, as the audit runs read it.
 */
export async function getRosterPeople(): Promise<readonly RosterPerson[]> {
  return (await getRosterDirectory()).people;
}

/** `getRosterPeople` with each person's entry (file and line) and the config's roster source, same cache. */
export function getRosterDirectory(): Promise<RosterDirectory> {
  state.rosterLookup ??= createRosterCache({
    load: () => loadRosterDirectory(getEnv()),
    ttlMs: ROSTER_CACHE_TTL_MS,
    now: () => Date.now(),
    logError: (message, error) => console.error(message, error),
  });
  return state.rosterLookup();
}

/**
 * The roster as the config names it. One on disk is read again only when its files changed
 * (`rosterPathStamp`): the same read is kept, with the indexes and sessions derived from it. One in GitLab
 * is read each time (once per ROSTER_CACHE_TTL_MS).
 */
async function loadRosterDirectory(env: Env): Promise<RosterDirectory> {
  const config = await loadAuditConfig(env.AUDIT_CONFIG, { pagerDutyApiUrl: env.PAGERDUTY_API_URL });
  const source = { roster: config.roster, gitlab: config.gitlab };
  const files = "path" in config.roster ? await rosterPathStamp(config.roster.path) : null;
  const stamp = files === null ? null : `${JSON.stringify(source)}\n${files}`;
  // The last roster read from disk, with the stamp of its files taken before the read.
  const last = state.lastDiskRead;
  if (stamp !== null && last?.stamp === stamp) return last.directory;
  const roster = await loadConfiguredRoster(config, { token: env.GL_TOKEN }, { forSignIn: true });
  // One array per read: role checks index the people by identity (lib/auth/roles.ts).
  const directory = {
    people: roster.entries.map((entry) => entry.person),
    entries: roster.entries,
    config: source,
  };
  state.lastDiskRead = stamp === null ? undefined : { stamp, directory };
  return directory;
}

/**
 * The app's next-auth options, built once from the environment. Throws AppError `invalid:environment`
 * when sign-in is misconfigured (for example the demo sign-in in production); call it at startup
 * (instrumentation `register()`) so the app refuses to start rather than failing on the first request.
 */
export function getAuthOptions(): AuthOptions {
  state.authOptions ??= buildAuthOptions({ env: getEnv(), getRoster: getRosterPeople });
  return state.authOptions;
}

/** Sessions already read, by cookie and roster read (lib/auth/session-cache.ts). */
const sessionCache = state.sessionCache;

/** next-auth's session cookie, secure or not; chunked tokens (`….0`, `….1`) are not cached. */
const SESSION_COOKIE = /^(?:__Secure-)?next-auth\.session-token(?:\.\d+)?$/;

/**
 * The signed-in roster person, or null (not signed in, session expired, or no longer in the roster). Read
 * once per cookie and roster read, until the token expires: next-auth decrypts and re-encrypts the token on
 * every read, the most of what a page paid for knowing who asks.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const cookie = sessionCookieOf((await cookies()).getAll());
  // With the roster unreadable, next-auth keeps the session's last known user: that is not kept here.
  const roster = cookie === null ? null : await getRosterPeople().catch(() => null);
  if (cookie !== null && roster !== null) {
    const kept = sessionCache.get(roster, cookie);
    if (kept !== undefined) return kept;
  }
  const session = await getServerSession(getAuthOptions());
  const user = parseSessionUser(session?.user);
  if (cookie !== null && roster !== null) {
    const expiresAt = await tokenExpiryOf(cookie);
    if (expiresAt !== null) sessionCache.set(roster, cookie, user, expiresAt);
  }
  return user;
}

/** The one session cookie's value; null without one, or with several (chunks, secure and not): not cached. */
function sessionCookieOf(all: readonly { name: string; value: string }[]): string | null {
  const found = all.filter((cookie) => SESSION_COOKIE.test(cookie.name));
  const only = found[0];
  return found.length === 1 && only && !/\.\d+$/.test(only.name) ? only.value : null;
}

/** The token's expiry (`exp`, seconds), or null when it does not decode with the app's secret. */
async function tokenExpiryOf(token: string): Promise<number | null> {
  try {
    const payload = await decode({ token, secret: getAuthOptions().secret ?? "" });
    return typeof payload?.exp === "number" ? payload.exp : null;
  } catch {
    return null;
  }
}
