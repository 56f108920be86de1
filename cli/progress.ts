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
    format: "{title} [{bar}] {value}/{total} {phase}",
    stream: terminal,
    hideCursor: true,
    clearOnComplete: true,
    noTTYOutput: false,
  });
  let started = false;
  let title = "";
  return {
    start: (t) => {
      title = t;
    },
    update: (p) => {
      if (!started) {
        bar.start(p.total, p.done, { title, phase: p.phase });
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, { phase: p.phase });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
