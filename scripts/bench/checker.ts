/**
 * The checker alone (no IO) on 10k, 50k and 100k people against 500 schedules: time and heap. Each size
 * runs in a fresh process (3 runs, median shown), as a CLI audit would: one size's garbage and heap growth
 * must not be billed to the next. Target: 100k people in under 1 s, growing linearly.
 *
 * Run directly (`node --expose-gc --import tsx scripts/bench/checker.ts <people> <schedules>`) it measures
 * one size in this process and prints the figures as JSON: that is what each fresh process does.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkAudit } from "../../lib/audit/check";
import { rosterOfScenario } from "../../sandbox/scenarios/audit-scenario";
import { generateOrg } from "../../sandbox/scenarios/generate-org";
import { snapshotOfState } from "../../sandbox/scenarios/snapshot-of-state";
import { NOW, configOf, count, rosterPagerDutyIds, verdict } from "./common";

const SIZES = [10_000, 50_000, 100_000];
const SCHEDULES = 500;
const TARGET_MS = 1000;
/** Time per person at the largest size may exceed the smallest size's by this much and still count as linear. */
const LINEAR_SLACK = 1.25;

interface CheckerFigures {
  ms: number;
  heapMiB: number;
  users: number;
  schedules: number;
  findings: number;
}

/** One checker measurement, in this (fresh) process: generate the org, then time the checker alone. */
function measureChecker(people: number, schedules: number): CheckerFigures {
  const scenario = generateOrg({
    people,
    extraPagerDutyUsers: Math.round(people / 2),
    schedules,
    v3Share: 0.5,
    seed: 11,
    now: NOW,
  });
  const config = configOf(scenario, "http://127.0.0.1:1");
  const roster = rosterOfScenario(scenario);
  const snapshot = snapshotOfState(scenario.pagerduty, {
    scheduleIds: config.rotations.flatMap((r) => r.schedules),
    rosterUserIds: rosterPagerDutyIds(roster),
    fetchedAt: NOW,
  });
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const report = checkAudit({ roster, snapshot, config, now: NOW });
  const ms = performance.now() - started;
  return {
    ms,
    heapMiB: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20,
    users: snapshot.users.length,
    schedules: snapshot.schedules.length + snapshot.missingScheduleIds.length,
    findings: report.findings.length,
  };
}

/** Median of 3 fresh-process runs for one size. */
function runChecker(people: number): CheckerFigures & { runs: number[] } {
  const runs = [1, 2, 3].map(() => {
    const child = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), String(people), String(SCHEDULES)],
      { encoding: "utf8" },
    );
    if (child.status !== 0) throw new Error(`checker run failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as CheckerFigures;
  });
  const median = [...runs].sort((a, b) => a.ms - b.ms)[1] ?? runs[0];
  if (!median) throw new Error("checker run gave no figures");
  return { ...median, runs: runs.map((r) => r.ms) };
}

export function benchChecker(): void {
  console.log(
    "Checker alone (no IO), %d schedules, fresh process per size; target: 100k people < %d ms, linear growth",
    SCHEDULES,
    TARGET_MS,
  );
  const results = SIZES.map((people) => {
    const figures = runChecker(people);
    console.log(
      "  %s people x %d schedules (%s users): %s ms (runs: %s), %s ms per 10k people, heap +%s MiB, %d findings",
      count(people),
      figures.schedules,
      count(figures.users),
      figures.ms.toFixed(0),
      figures.runs.map((ms) => ms.toFixed(0)).join(", "),
      ((figures.ms / people) * 10_000).toFixed(0),
      figures.heapMiB.toFixed(0),
      figures.findings,
    );
    return { people, ms: figures.ms };
  });
  const first = results[0];
  const last = results[results.length - 1];
  if (!first || !last) return;
  const growth = last.ms / last.people / (first.ms / first.people);
  console.log(
    "  %s people: %s ms (target < %d ms: %s); time per person at %s vs %s people: %sx (target linear, <= %sx: %s)",
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
  const people = Number(process.argv[2]);
  const schedules = Number(process.argv[3]);
  process.stdout.write(JSON.stringify(measureChecker(people, schedules)));
}
