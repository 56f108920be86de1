import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";

/** A rolling minute: how PagerDuty counts requests per token, and GitLab notes per user. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`; rejects with the signal's reason when aborted first. */
export const realSleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
};

/**
 * A sliding-window limiter: at most `limit` grants in any window of `windowMs` (plus a safety margin,
 * because the server counts arrivals and a request arrives a little after it was granted). Grants are
 * served first come, first served. Each caller passes its own limit, so clients of one token that allow
 * themselves different rates still share one window.
 */
export interface RateLimiter {
  /** Waits until one more request fits under `limit`, then records it. */
  acquire(limit: number, signal?: AbortSignal): Promise<void>;
  /** Grants nothing for the next `ms`: the server said its window is full. */
  pauseFor(ms: number): void;
  /** Grants recorded in the current window (for tests and diagnostics). */
  inWindow(): number;
}

export interface SlidingWindowLimiterOptions {
  windowMs?: number;
  /** Added to the window; default 2 % of it, between 50 ms and 1 s. */
  marginMs?: number;
  /** A monotonic clock in ms. */
  now?: () => number;
  sleep?: Sleep;
}

export function createSlidingWindowLimiter(options: SlidingWindowLimiterOptions = {}): RateLimiter {
  const windowMs = options.windowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;
  const span = windowMs + (options.marginMs ?? Math.min(1_000, Math.max(50, windowMs * 0.02)));
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  /** Grant times, oldest first. */
  const grants: number[] = [];
  let pausedUntil = -Infinity;
  let queue: Promise<void> = Promise.resolve();

  const prune = (t: number) => {
    let expired = 0;
    while (expired < grants.length && (grants[expired] as number) + span <= t) expired++;
    if (expired > 0) grants.splice(0, expired);
  };

  const waitForSlot = async (limit: number, signal?: AbortSignal) => {
    const max = Math.max(1, Math.floor(limit));
    for (;;) {
      signal?.throwIfAborted();
      const t = now();
      prune(t);
      if (t < pausedUntil) {
        await sleep(pausedUntil - t, signal);
        continue;
      }
      if (grants.length < max) {
        grants.push(t);
        return;
      }
      // The grant that has to leave the window before one more fits.
      const blocking = grants[grants.length - max] as number;
      await sleep(Math.max(1, blocking + span - t), signal);
    }
  };

  return {
    acquire(limit, signal) {
      const turn = queue.then(() => waitForSlot(limit, signal));
      // The next caller waits for this one's turn to end, whether it was granted or aborted.
      queue = turn.catch(() => undefined);
      return turn;
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    inWindow() {
      prune(now());
      return grants.length;
    },
  };
}

// Kept on globalThis because Next loads this module once per bundle (route handlers, server components,
// instrumentation, which runs autopilot): a map per copy would give each its own window on one token.
const holder = globalThis as typeof globalThis & { __auditRateLimiters?: Map<string, RateLimiter> };
const sharedLimiters = (holder.__auditRateLimiters ??= new Map<string, RateLimiter>());

/**
 * The process-wide limiter for one token on one host, so every client using the token shares
 * the same window. The token is kept only as a hash.
 */
export function getSharedRateLimiter(baseUrl: string, token: string, windowMs: number): RateLimiter {
  const tokenHash = createHash("sha256").update(token).digest("hex");
  const key = `${new URL(baseUrl).origin} ${tokenHash} ${windowMs}`;
  let limiter = sharedLimiters.get(key);
  if (!limiter) {
    limiter = createSlidingWindowLimiter({ windowMs });
    sharedLimiters.set(key, limiter);
  }
  return limiter;
}
