import type { Sleep } from "@/lib/http/rate-limit";

/**
 * A clock for tests that must wait out a server's time window (PagerDuty's minute) against a server running
 * in this process. Time stands still while anything is in flight and jumps to the earliest sleeper's wake
 * time once every request has been answered and the event loop has nothing else queued: the waits are all
 * taken, in order, in no real time. Requests must go through `fetch` so the clock knows they are in flight;
 * the server reads the same clock (e.g. through a mocked `Date.now`), so a request arrives at the moment it
 * was granted.
 */
export interface VirtualClock {
  /** The virtual time in ms (epoch-based, starting at `start`). */
  now: () => number;
  /** Resolves when the clock reaches `ms` from now; rejects with the signal's reason when aborted first. */
  sleep: Sleep;
  /** Wraps a fetch so the clock stands still until each response's headers are in. */
  track: (inner: typeof fetch) => typeof fetch;
  /** Virtual ms since the clock started. */
  elapsed: () => number;
}

interface Sleeper {
  at: number;
  order: number;
  wake: () => void;
}

export function createVirtualClock(start = Date.now()): VirtualClock {
  let time = start;
  let inFlight = 0;
  let order = 0;
  let sleepers: Sleeper[] = [];
  let pumping = false;

  // Checked on a later turn of the event loop (after every pending promise callback), so a woken caller has
  // sent its request before the clock moves again.
  const schedule = () => {
    if (pumping) return;
    pumping = true;
    setImmediate(pump);
  };
  const pump = () => {
    pumping = false;
    if (inFlight > 0 || sleepers.length === 0) return;
    let next = sleepers[0] as Sleeper;
    for (const sleeper of sleepers) {
      if (sleeper.at < next.at || (sleeper.at === next.at && sleeper.order < next.order)) next = sleeper;
    }
    sleepers = sleepers.filter((s) => s !== next);
    time = Math.max(time, next.at);
    next.wake();
    schedule();
  };

  return {
    now: () => time,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        signal?.throwIfAborted();
        const sleeper: Sleeper = {
          at: time + Math.max(0, ms),
          order: order++,
          wake: () => {
            signal?.removeEventListener("abort", abort);
            resolve();
          },
        };
        const abort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", abort, { once: true });
        sleepers.push(sleeper);
        schedule();
      }),
    track:
      (inner) =>
      async (...args) => {
        inFlight++;
        try {
          return await inner(...args);
        } finally {
          inFlight--;
          schedule();
        }
      },
    elapsed: () => time - start,
  };
}
