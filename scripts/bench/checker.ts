/**
 * The checker alone (no IO) on 10k, 50k and 100k people against 500 schedules: time, CPU, garbage
 * collection and heap. Each run is a fresh process, as a CLI audit would be: one size's garbage and heap
 * growth must not be billed to the next. Each size runs RUNS times (median shown). Target: 100k people in
 * under 800 ms, growing linearly (time per person at 100k within 1.25x of 10k's).
 *
 * Run directly:
 *   node --expose-gc --import tsx scripts/bench/checker.ts [--runs 5]    # every size, as `npm run bench`
 *   node --expose-gc --import tsx scripts/bench/checker.ts <people> <schedules>
 * The second form measures one size in this process and prints the figures as JSON: that is what each
 * fresh process does.
 *
 * CPU time (user + system, every thread of the process) is printed beside wall time: on a busy machine wall
 * time mostly measures the wait for a core, CPU time much less so.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkAudit } from "../../lib/audit/check";
import { checkerInput } from "./checker-input";
import { NOW, count, verdict } from "./common";

const SIZES = [10_000, 50_000, 100_000];
const SCHEDULES = 500;
const TARGET_MS = 800;
/** Fresh-process runs per size. */
const RUNS = 5;
/** Time per person at the largest size may exceed the smallest size's by this much and still count as linear. */
const LINEAR_SLACK = 1.25;

interface CheckerFigures {
  ms: number;
  /** CPU time of the process (all threads, GC helpers included) while the checker ran. */
  cpuMs: number;
  /** Time in garbage-collection pauses while the checker ran. */
  gcMs: number;
  heapMiB: number;
  users: number;
  schedules: number;
  findings: number;
}

/** One checker measurement, in this (fresh) process: generate the org, then time the checker alone. */
async function measureChecker(people: number, schedules: number): Promise<CheckerFigures> {
  const { config, roster, snapshot } = checkerInput(people, schedules);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const pauses: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = checkAudit({ roster, snapshot, config, now: NOW });
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  // Node reports each pause on a later turn of the event loop: let them arrive, then keep those of the run.
  await new Promise((resolve) => setTimeout(resolve, 10));
  observer.disconnect();
  const gcMs = pauses
    .filter((p) => p.start >= started && p.start < ended)
    .reduce((sum, p) => sum + Math.min(p.end, ended) - p.start, 0);
  return {
    ms: ended - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gcMs,
    heapMiB: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20,
    users: snapshot.users.length,
    schedules: snapshot.schedules.length + snapshot.missingScheduleIds.length,
    findings: report.findings.length,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface SizeFigures {
  people: number;
  runs: CheckerFigures[];
  ms: number;
  cpuMs: number;
  gcMs: number;
}

/** `runs` fresh-process runs for one size, with the medians of wall, CPU and GC time. */
function runChecker(people: number, runs: number): SizeFigures {
  const figures = Array.from({ length: runs }, () => {
    const child = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), String(people), String(SCHEDULES)],
      { encoding: "utf8" },
    );
    if (child.status !== 0) throw new Error(`checker run failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as CheckerFigures;
  });
  return {
    people,
    runs: figures,
    ms: median(figures.map((f) => f.ms)),
    cpuMs: median(figures.map((f) => f.cpuMs)),
    gcMs: median(figures.map((f) => f.gcMs)),
  };
}

export function benchChecker(runs = RUNS): void {
  console.log(
    "Checker alone (no IO), %d schedules, %d fresh processes per size (medians); target: 100k people < %d ms, linear growth",
    SCHEDULES,
    runs,
    TARGET_MS,
  );
  const results = SIZES.map((people) => {
    const size = runChecker(people, runs);
    const last = size.runs[size.runs.length - 1];
    console.log(
      "  %s people x %d schedules (%s users): %s ms (runs: %s), CPU %s ms, GC %s ms (%s %%), %s ms per 10k people, heap +%s MiB, %d findings",
      count(people),
      last?.schedules ?? 0,
      count(last?.users ?? 0),
      size.ms.toFixed(0),
      size.runs.map((r) => r.ms.toFixed(0)).join(", "),
      size.cpuMs.toFixed(0),
      size.gcMs.toFixed(0),
      ((size.gcMs / size.ms) * 100).toFixed(0),
      ((size.ms / people) * 10_000).toFixed(0),
      median(size.runs.map((r) => r.heapMiB)).toFixed(0),
      last?.findings ?? 0,
    );
    return size;
  });
  const first = results[0];
  const last = results[results.length - 1];
  if (!first || !last) return;
  const growth = last.ms / last.people / (first.ms / first.people);
  console.log(
    "  %s people: %s ms median (target < %d ms: %s); time per person at %s vs %s people: %sx (target linear, <= %sx: %s)",
    count(last.people),
    last.ms.toFixed(0),
    TARGET_MS,
    verdict(last.ms < TARGET_MS),
    count(last.people),
    count(first.people),
    growth.toFixed(2),
    LINEAR_SLACK,
    verdict(growth <= LINEAR_SLACK),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: { runs: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length === 2) {
    const figures = await measureChecker(Number(positionals[0]), Number(positionals[1]));
    process.stdout.write(JSON.stringify(figures));
  } else {
    const runs = values.runs === undefined ? RUNS : Number(values.runs);
    if (!(Number.isInteger(runs) && runs > 0)) {
      console.error("--runs needs a positive whole number");
      process.exit(2);
    }
    benchChecker(runs);
  }
}
