import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";

import { createSlidingWindowLimiter, getSharedRateLimiter } from "@/lib/http/rate-limit";

/** A clock that only moves when someone sleeps. */
function fakeClock() {
  const clock = { t: 0, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}

/** The most grants inside any half-open window [t, t + span). */
function maxInAnyWindow(grants: number[], span: number): number {
  const sorted = [...grants].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= span) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("createSlidingWindowLimiter", () => {
  it.each([
    { limit: 1, windowMs: 1_000, requests: 5 },
    { limit: 10, windowMs: 1_000, requests: 35 },
    { limit: 30, windowMs: 60_000, requests: 100 },
    { limit: 960, windowMs: 60_000, requests: 2_000 },
  ])(
    "grants at most $limit per $windowMs ms, and no slower than needed ($requests concurrent requests)",
    async ({ limit, windowMs, requests }) => {
      const { clock, now, sleep } = fakeClock();
      const limiter = createSlidingWindowLimiter({ windowMs, marginMs: 0, now, sleep });
      const grants: number[] = [];
      await Promise.all(
        Array.from({ length: requests }, () => limiter.acquire(limit).then(() => grants.push(clock.t))),
      );
      expect(grants).toHaveLength(requests);
      expect(maxInAnyWindow(grants, windowMs)).toBe(Math.min(limit, requests));
      // Bursts of `limit`, one window apart: the last burst starts after ⌈n/limit⌉ - 1 windows.
      expect(Math.max(...grants)).toBe((Math.ceil(requests / limit) - 1) * windowMs);
    },
  );

  it("adds the margin to the window, so requests that arrive late still fit the server's window", async () => {
    const { clock, now, sleep } = fakeClock();
    const limiter = createSlidingWindowLimiter({ windowMs: 1_000, marginMs: 100, now, sleep });
    const grants: number[] = [];
    for (let i = 0; i < 4; i++) await limiter.acquire(2).then(() => grants.push(clock.t));
    expect(grants).toEqual([0, 0, 1_100, 1_100]);
  });

  it("never exceeds the limit for any arrival pattern (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 120 }),
        async (limit, gaps) => {
          const { clock, now, sleep } = fakeClock();
          const limiter = createSlidingWindowLimiter({ windowMs: 1_000, marginMs: 0, now, sleep });
          const grants: number[] = [];
          for (const gap of gaps) {
            clock.t += gap;
            await limiter.acquire(limit);
            grants.push(clock.t);
          }
          expect(maxInAnyWindow(grants, 1_000)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("shares one window between callers with different limits: each respects its own", async () => {
    const { clock, now, sleep } = fakeClock();
    const limiter = createSlidingWindowLimiter({ windowMs: 1_000, marginMs: 0, now, sleep });
    for (let i = 0; i < 5; i++) await limiter.acquire(10);
    // Five are in the window already: a caller allowing itself 5 must wait for the window to pass.
    await limiter.acquire(5);
    expect(clock.t).toBe(1_000);
  });

  it("grants nothing while paused after a 429", async () => {
    const { clock, now, sleep } = fakeClock();
    const limiter = createSlidingWindowLimiter({ windowMs: 1_000, marginMs: 0, now, sleep });
    await limiter.acquire(100);
    limiter.pauseFor(2_500);
    await limiter.acquire(100);
    expect(clock.t).toBe(2_500);
  });

  it("lets the queue move on when a waiting caller is aborted", async () => {
    const { now } = fakeClock();
    // A sleep that never ends unless aborted.
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    const limiter = createSlidingWindowLimiter({ windowMs: 1_000, marginMs: 0, now, sleep });
    await limiter.acquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(limiter.inWindow()).toBe(1);
  });
});

describe("getSharedRateLimiter", () => {
  it("gives every client of one token on one host the same window, and other tokens or hosts their own", () => {
    const a = getSharedRateLimiter("https://api.pagerduty.com", "token-a", 60_000);
    expect(getSharedRateLimiter("https://api.pagerduty.com/", "token-a", 60_000)).toBe(a);
    expect(getSharedRateLimiter("https://api.pagerduty.com", "token-b", 60_000)).not.toBe(a);
    expect(getSharedRateLimiter("http://127.0.0.1:4010", "token-a", 60_000)).not.toBe(a);
  });

  it("is one window per token and host for every copy of the module the server loads", async () => {
    // Next bundles route handlers, server components and instrumentation (autopilot) apart, each with its
    // own copy of this module: a window per copy would let the server as a whole go past the limit.
    const a = getSharedRateLimiter("https://api.pagerduty.com", "token-copies", 60_000);
    vi.resetModules();
    const copy = await import("@/lib/http/rate-limit");
    expect(copy.getSharedRateLimiter).not.toBe(getSharedRateLimiter);
    expect(copy.getSharedRateLimiter("https://api.pagerduty.com", "token-copies", 60_000)).toBe(a);
  });
});
