/**
 * A roster read at most once per `ttlMs`, shared by concurrent callers. Sign-in and every session read
 * ask for the roster; reading a file (or GitLab) each time would be wasteful, and a minute of staleness
 * is fine for roles. Clock and loader are passed in, so this is testable without timers or files.
 */
import type { RosterPerson } from "@/lib/roster/schema";

export interface RosterCacheOptions<T = readonly RosterPerson[]> {
  load: () => Promise<T>;
  ttlMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  logError: (message: string, error: unknown) => void;
}

/**
 * Returns a lookup that serves the last roster read while it is younger than `ttlMs`, reads it again
 * after that (one read at a time, shared by everyone waiting), and, when a re-read fails, logs and keeps
 * serving the previous roster for another `ttlMs`. The first read's failure is thrown: with no roster,
 * nobody can be matched.
 */
export function createRosterCache<T = readonly RosterPerson[]>(
  options: RosterCacheOptions<T>,
): () => Promise<T> {
  let value: T | undefined;
  let freshUntil = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<T> | undefined;

  const reload = async (): Promise<T> => {
    try {
      const roster = await options.load();
      value = roster;
      freshUntil = options.now() + options.ttlMs;
      return roster;
    } catch (error) {
      if (value === undefined) throw error;
      options.logError("auth: re-reading the roster failed; serving the previous one", error);
      freshUntil = options.now() + options.ttlMs;
      return value;
    } finally {
      inFlight = undefined;
    }
  };

  return () => {
    if (value !== undefined && options.now() < freshUntil) return Promise.resolve(value);
    inFlight ??= reload();
    return inFlight;
  };
}
