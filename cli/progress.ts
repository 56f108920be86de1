import { SingleBar } from "cli-progress";
import type { RetryEvent } from "@/lib/http/request";
import type { SnapshotProgress } from "@/lib/pagerduty/snapshot";

const PHASE_LABELS: Record<SnapshotProgress["phase"], string> = {
  users: "users",
  schedules: "schedules",
  user_lookups: "users missing from the list",
};

export interface ProgressReporter {
  start(title: string): void;
  update(progress: SnapshotProgress): void;
  /** A request failed and will be tried again: said at once, so a slow run is never silent. */
  retry(event: RetryEvent): void;
  stop(): void;
}

/** "retrying GET /users (503), attempt 2 of 6, waiting 1.2 s" */
export function describeRetry(event: RetryEvent): string {
  const seconds = event.waitMs / 1_000;
  const wait = seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds));
  return `retrying ${event.method} ${event.path} (${event.reason}), attempt ${event.attempt} of ${event.attempts}, waiting ${wait} s`;
}

/**
 * Progress on stderr: a bar on a terminal, one line per phase change otherwise (so CI logs stay short),
 * nothing when disabled.
 */
export function createProgressReporter(options: {
  enabled: boolean;
  /** The terminal to draw a bar on; absent (or not a TTY): plain lines through `write`. */
  terminal?: NodeJS.WriteStream;
  write: (text: string) => void;
  /** Milliseconds, for how long a retry stays on the bar. Default `Date.now`. */
  now?: () => number;
}): ProgressReporter {
  if (!options.enabled) return { start() {}, update() {}, retry() {}, stop() {} };
  const now = options.now ?? Date.now;
  const terminal = options.terminal;
  if (!terminal?.isTTY) {
    // Phases run concurrently; name each once, when it starts, and once when it is done.
    const started = new Set<string>();
    const finished = new Set<string>();
    return {
      start: (title) => options.write(`${title}…\n`),
      update: (p) => {
        const label = PHASE_LABELS[p.phase];
        if (!started.has(p.phase)) options.write(`  reading ${label}…\n`);
        started.add(p.phase);
        if (p.done >= p.total && p.total > 0 && !finished.has(p.phase)) {
          finished.add(p.phase);
          options.write(`  read ${p.total} ${label}\n`);
        }
      },
      retry: (event) => options.write(`  ${describeRetry(event)}\n`),
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: "{title} [{bar}] {percentage}% {detail}{retry}",
    stream: terminal,
    hideCursor: true,
    clearOnComplete: true,
  });
  // Phases run concurrently: the bar shows their sum, and the detail names each one's count.
  const phases = new Map<SnapshotProgress["phase"], SnapshotProgress>();
  let started = false;
  let title = "";
  // The latest retry stays on the bar until its wait is over and progress moves again.
  let retry = "";
  let retryUntil = 0;
  const ensureStarted = (total: number, done: number, detail: string) => {
    if (started) return;
    bar.start(total, done, { title, detail, retry });
    started = true;
  };
  return {
    start: (t) => {
      title = t;
    },
    update: (p) => {
      phases.set(p.phase, p);
      const all = [...phases.values()];
      const total = all.reduce((sum, q) => sum + q.total, 0);
      const done = all.reduce((sum, q) => sum + q.done, 0);
      const detail = all.map((q) => `${PHASE_LABELS[q.phase]} ${q.done}/${q.total}`).join(", ");
      if (retry && now() >= retryUntil) retry = "";
      ensureStarted(total, done, detail);
      bar.setTotal(total);
      bar.update(done, { detail, retry });
    },
    retry: (event) => {
      retry = ` · ${describeRetry(event)}`;
      retryUntil = now() + event.waitMs;
      // A retry can come before any progress (the first page failing): the bar starts empty to show it.
      ensureStarted(1, 0, "");
      bar.update({ retry });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
