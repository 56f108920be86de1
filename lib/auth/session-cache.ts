/**
 * Session users by the session cookie they were read from, per roster read. Reading a session decrypts
 * the cookie (a key derived from the secret, then the token), matches the login against the roster and
 * encrypts a renewed token that a server component cannot even send: a few milliseconds on every page and
 * API request, for an answer that depends only on the cookie, the roster and the time. Pure: the clock is
 * passed in, so this is testable without next-auth.
 */
import type { RosterPerson } from "@/lib/roster/schema";
import type { SessionUser } from "./roles";

/** Sessions kept per roster read; past it the oldest is dropped (the cookies of people signed in at once). */
export const SESSION_CACHE_LIMIT = 2_000;

export interface SessionCacheOptions {
  /** Milliseconds since the epoch (real time: what a token's expiry is judged by). */
  now: () => number;
  limit?: number;
}

export interface SessionCache {
  /** The user read from this cookie with this roster, while the token has not expired; else undefined. */
  get(roster: readonly RosterPerson[], cookie: string): SessionUser | null | undefined;
  /**
   * Keeps what the cookie read as with this roster (null: signed out, e.g. no longer in the roster) until
   * the token's own expiry, `expiresAt` (seconds since the epoch, the token's `exp`).
   */
  set(roster: readonly RosterPerson[], cookie: string, user: SessionUser | null, expiresAt: number): void;
}

export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const limit = options.limit ?? SESSION_CACHE_LIMIT;
  // A roster read is one array (lib/auth/session.ts): a new read (a promotion, someone leaving) starts
  // empty, as each session's role is derived from the roster again.
  const byRoster = new WeakMap<
    readonly RosterPerson[],
    Map<string, { user: SessionUser | null; until: number }>
  >();
  return {
    get(roster, cookie) {
      const sessions = byRoster.get(roster);
      const kept = sessions?.get(cookie);
      if (!kept) return undefined;
      if (options.now() >= kept.until) {
        sessions?.delete(cookie);
        return undefined;
      }
      return kept.user;
    },
    set(roster, cookie, user, expiresAt) {
      let sessions = byRoster.get(roster);
      if (!sessions) {
        sessions = new Map();
        byRoster.set(roster, sessions);
      }
      if (sessions.size >= limit && !sessions.has(cookie)) {
        const oldest = sessions.keys().next();
        if (!oldest.done) sessions.delete(oldest.value);
      }
      sessions.set(cookie, { user, until: expiresAt * 1000 });
    },
  };
}
