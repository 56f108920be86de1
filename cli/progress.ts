import { SingleBar } from "cli-progress";
import type { SnapshotProgress } from "@/lib/pagerduty/snapshot";

const PHASE_LABELS: Record<SnapshotProgress["phase"], string> = {
  users: "users",
  schedules: "schedules",
  user_lookups: "users missing from the list",
};

export interface ProgressReporter {
  start(title: string): void;
  update(progress: SnapshotProgress): void;
  stop(): void;
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
}): ProgressReporter {
  if (!options.enabled) return { start() {}, update() {}, stop() {} };
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
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: "{title} [{bar}] {percentage}% {detail}",
    stream: terminal,
    hideCursor: true,
    clearOnComplete: true,
  });
  // Phases run concurrently: the bar shows their sum, and the detail names each one's count.
  const phases = new Map<SnapshotProgress["phase"], SnapshotProgress>();
  let started = false;
  let title = "";
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
      if (!started) {
        bar.start(total, done, { title, detail });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { detail });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
