/**
 * Performance figures (not part of `npm test`): prints what it measures, with the targets beside them.
 *
 *   npm run bench
 *
 * 1. A full audit over HTTP against the sandbox PagerDuty at 100 ms latency, for an org of 2,000 people,
 *    3,000 PagerDuty users and 60 schedules (v2 and v3 mixed): requests made against the minimum, and wall
 *    time. Targets: ≤ 3 s, ≤ 1.1× the minimum.
 * 2. The checker alone on 10k, 50k and 100k people against 500 schedules: time and memory. Target: 100k in
 *    under 1 s.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { checkAudit } from "../lib/audit/check";
import type { AuditConfig } from "../lib/config/schema";
import { AuditConfigSchema } from "../lib/config/schema";
import { createPagerDutyClientFromConfig } from "../lib/pagerduty/client";
import type { Roster } from "../lib/roster/schema";
import { runAudit } from "../lib/runner/run-audit";
import { startPagerDutySandbox } from "../sandbox/pagerduty/server";
import type { PagerDutyState } from "../sandbox/pagerduty/types";
import { generateOrg } from "../sandbox/scenarios/generate-org";
import type { Scenario } from "../sandbox/scenarios/scenario";
import { snapshotOfState } from "../sandbox/scenarios/snapshot-of-state";
import { rosterOfScenario } from "../sandbox/scenarios/audit-scenario";

const NOW = new Date("2026-11-24T12:00:00Z");
const PAGE = 100;

function configOf(scenario: Scenario, url: string): AuditConfig {
  return AuditConfigSchema.parse({ ...scenario.config, pagerduty: { ...scenario.config.pagerduty, url } });
}

/**
 * The fewest requests any client needs: every page of the user list, one read per configured schedule,
 * and one lookup per referenced user ID the list lacks (schedule members a v2 layer already shows as
 * deleted need none). Telling v2 from v3 schedules and double-checking missing ones is our overhead.
 */
function minimumRequests(state: PagerDutyState, config: AuditConfig, roster: Roster): number {
  const live = new Set(state.users.filter((u) => u.deleted_at === null).map((u) => u.id));
  const configured = new Set(config.rotations.flatMap((r) => r.schedules));
  const referenced = new Set<string>(
    roster.entries.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : [])),
  );
  const deleted = new Set(state.users.filter((u) => u.deleted_at !== null).map((u) => u.id));
  for (const schedule of state.schedules) {
    if (!configured.has(schedule.id)) continue;
    if (schedule.kind === "v2") {
      for (const id of schedule.layers.flatMap((l) => l.user_ids)) if (!deleted.has(id)) referenced.add(id);
    } else {
      for (const id of schedule.rotations.flatMap((r) => r.events.flatMap((e) => e.member_user_ids)))
        if (id) referenced.add(id);
    }
  }
  const lookups = [...referenced].filter((id) => !live.has(id)).length;
  return Math.max(1, Math.ceil(live.size / PAGE)) + configured.size + lookups;
}

async function benchFullAudit(): Promise<void> {
  const scenario = generateOrg({
    people: 2000,
    extraPagerDutyUsers: 1000,
    schedules: 60,
    v3Share: 0.5,
    seed: 7,
    now: NOW,
  });
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {
    latencyMs: 100,
    rateLimitPerMinute: 960,
  });
  try {
    const config = configOf(scenario, sandbox.url);
    const roster = rosterOfScenario(scenario);
    const liveUsers = scenario.pagerduty.users.filter((u) => u.deleted_at === null).length;
    const v3 = scenario.pagerduty.schedules.filter((s) => s.kind === "v3").length;
    const client = createPagerDutyClientFromConfig(config.pagerduty, sandbox.token);
    const started = performance.now();
    const { report } = await runAudit({ config, roster, client, now: NOW });
    const seconds = (performance.now() - started) / 1000;
    const made = sandbox.stats().requests;
    const minimum = minimumRequests(scenario.pagerduty, config, roster);
    console.log("Full audit over HTTP, sandbox latency 100 ms, concurrency %d", config.pagerduty.concurrency);
    console.log(
      "  org: %d people, %d live PagerDuty users, %d schedules configured (%d of the account's are v3)",
      roster.entries.length,
      liveUsers,
      new Set(config.rotations.flatMap((r) => r.schedules)).size,
      v3,
    );
    console.log("  complete: %s, findings: %d", report.complete, report.findings.length);
    console.log(
      "  requests made: %d, minimum: %d, ratio: %sx (target <= 1.1x)",
      made,
      minimum,
      (made / minimum).toFixed(3),
    );
    console.log("  by route: %s", JSON.stringify(sandbox.stats().byRoute));
    console.log("  wall time: %s s (target <= 3 s)", seconds.toFixed(2));
  } finally {
    await sandbox.stop();
  }
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
    rosterUserIds: roster.entries.flatMap((e) => (e.person.pagerduty?.id ? [e.person.pagerduty.id] : [])),
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

interface CheckerFigures {
  ms: number;
  heapMiB: number;
  users: number;
  schedules: number;
  findings: number;
}

/**
 * Each size runs in a fresh process (3 runs, median shown), as a CLI audit would: one size's garbage and
 * heap growth must not be billed to the next.
 */
function benchChecker(people: number, schedules: number): void {
  const runs = [1, 2, 3].map(() => {
    const child = spawnSync(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        fileURLToPath(import.meta.url),
        "--checker",
        String(people),
        String(schedules),
      ],
      { encoding: "utf8" },
    );
    if (child.status !== 0) throw new Error(`checker run failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as CheckerFigures;
  });
  const median = [...runs].sort((a, b) => a.ms - b.ms)[1] ?? runs[0];
  if (!median) return;
  console.log(
    "  %s people x %d schedules (%s users): %s ms (runs: %s), heap +%s MiB, %d findings",
    people.toLocaleString("en-US"),
    median.schedules,
    median.users.toLocaleString("en-US"),
    median.ms.toFixed(0),
    runs.map((r) => r.ms.toFixed(0)).join(", "),
    median.heapMiB.toFixed(0),
    median.findings,
  );
}

const checkerArg = process.argv.indexOf("--checker");
if (checkerArg >= 0) {
  const people = Number(process.argv[checkerArg + 1]);
  const schedules = Number(process.argv[checkerArg + 2]);
  process.stdout.write(JSON.stringify(measureChecker(people, schedules)));
} else {
  await benchFullAudit();
  console.log("Checker alone (no IO), 500 schedules, fresh process per size; target: 100k people < 1000 ms");
  for (const people of [10_000, 50_000, 100_000]) benchChecker(people, 500);
}
