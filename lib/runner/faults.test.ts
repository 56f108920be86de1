/**
 * The fault suite (issue #5): the audit run end to end against the sandbox PagerDuty over real HTTP, with
 * every kind of fault the sandbox injects, compared with a clean run of the same org. For each case the
 * audit either equals the clean run exactly, or reports `complete: false` with no finding that is not in
 * the clean report and none that rests on data the report says could not be read. A token revoked mid-run
 * is no exception: what was read before stands, and the report's errors say the token was refused. Only a
 * token refused on its very first request fails the run, with `unauthorized:pagerduty` and no report: that
 * is a wrong token, not a partial audit (`fetchPagerDutySnapshot`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { membersAt } from "@/lib/audit/check";
import type { Finding, ReportError } from "@/lib/audit/types";
import { AuditConfigSchema } from "@/lib/config/schema";
import { AppError } from "@/lib/errors";
import { createPagerDutyClient, type PagerDutyClientOptions } from "@/lib/pagerduty/client";
import type { RequestEvent } from "@/lib/http/request";
import { startPagerDutySandbox } from "@/sandbox/pagerduty/server";
import type { AnswerOptions, FaultOptions, SandboxStats } from "@/sandbox/pagerduty/types";
import { rosterOfScenario } from "@/sandbox/scenarios/audit-scenario";
import { generateDemoOrg } from "@/sandbox/scenarios/demo-org";
import { generateOrg } from "@/sandbox/scenarios/generate-org";
import type { Scenario } from "@/sandbox/scenarios/scenario";
import { describeReadErrors, runAudit, type AuditRun } from "./run-audit";

const NOW = new Date("2026-11-24T12:00:00Z");
const TOKEN = "fault-suite-token-0123456789";
const GHOST_ID = "PGHOST0";
/** The report error of a read that a token revoked mid-run kept from happening. */
const REFUSED =
  /^PagerDuty refused the token after \d+ successful requests? \(revoked or rotated during the audit\?\)\.$/;

/**
 * The demo org, plus its deleted users and an ID PagerDuty never knew on a shift-based schedule: v3
 * members carry no "deleted" marker, so these take single-user lookups, a path the demo alone never needs.
 */
function demoWithGhosts(): Scenario {
  const scenario = generateDemoOrg({ now: NOW });
  const deleted = scenario.pagerduty.users.filter((u) => u.deleted_at !== null).map((u) => u.id);
  const event = scenario.pagerduty.schedules
    .flatMap((s) => (s.kind === "v3" ? s.rotations.flatMap((r) => r.events) : []))
    .find((e) => e.effective_until === null && Date.parse(e.effective_since) <= NOW.getTime());
  if (!event || deleted.length === 0)
    throw new Error("the demo org has changed: no open v3 event or deleted user");
  event.member_user_ids.push(...deleted, GHOST_ID);
  return scenario;
}

const SCENARIOS = {
  demo: demoWithGhosts(),
  // Big enough that `/users` takes several pages, read concurrently.
  org: generateOrg({ people: 700, extraPagerDutyUsers: 300, schedules: 16, v3Share: 0.4, seed: 5, now: NOW }),
} satisfies Record<string, Scenario>;
type ScenarioName = keyof typeof SCENARIOS;

/**
 * Client timeout per attempt; an injected timeout holds the request well past it. Short, to keep the suite
 * quick, but with room for a loaded machine: a spurious timeout is retried like any other.
 */
const CLIENT_TIMEOUT_MS = 300;
const HELD_MS = 5_000;
const CONCURRENCY = 8;
/** Runs whose request count must not vary (the clean runs, the revocation points) never time out by accident. */
const UNHURRIED: Partial<PagerDutyClientOptions> = { maxRetries: 8, timeoutMs: 5_000 };

/** A patient client rides out fault storms; impatient ones give up and leave gaps in the report. */
const PATIENT: Partial<PagerDutyClientOptions> = { maxRetries: 8 };
const IMPATIENT: Partial<PagerDutyClientOptions> = { maxRetries: 1 };
const NO_RETRIES: Partial<PagerDutyClientOptions> = { maxRetries: 0 };

type Outcome = "equal" | "incomplete";

interface FaultCase {
  name: string;
  scenario: ScenarioName;
  seed: number;
  /** Faults, or a function of the clean run's request count (to revoke the token at a given point). */
  faults: FaultOptions | ((cleanRequests: number) => FaultOptions);
  client: Partial<PagerDutyClientOptions>;
  /** A status the sandbox must have answered at least once (the fault the case is about). */
  mustMeet?: string;
  /** Where the outcome does not depend on the draws, the one it must be. */
  expected?: Outcome;
}

function buildCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const scenario of ["demo", "org"] as const) {
    const add = (c: Omit<FaultCase, "scenario">) => cases.push({ ...c, scenario });
    for (const seed of [1, 2]) {
      // Injected 429s come in bursts of 1–3; waiting as told, a patient client never lets one through.
      // About three bursts a run: each one with headers pauses the client for the 1 s they ask.
      // The outcome is asserted, so no spurious timeout of a loaded machine may decide it: a 429 case
      // waits as long as any answer takes.
      add({
        name: `429 bursts, seed ${seed}`,
        seed,
        faults: (n) => ({ rateLimitRate: 3 / n }),
        client: { ...PATIENT, timeoutMs: UNHURRIED.timeoutMs },
        mustMeet: "429",
        expected: "equal",
      });
    }
    for (const [client, label] of [
      [PATIENT, "patient"],
      [IMPATIENT, "impatient"],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        add({
          name: `5xx and 408 at 30 %, ${label}, seed ${seed}`,
          seed,
          faults: { transientErrorRate: 0.3 },
          client,
        });
        add({
          name: `connection resets at 30 %, ${label}, seed ${seed}`,
          seed,
          faults: { connectionResetRate: 0.3 },
          client,
        });
        add({
          name: `truncated pages at 30 %, ${label}, seed ${seed}`,
          seed,
          faults: { truncatedBodyRate: 0.3 },
          client,
        });
      }
      for (const seed of [1, 2]) {
        const faults = { timeoutRate: 0.25, timeoutMs: HELD_MS };
        add({ name: `timeouts at 25 %, ${label}, seed ${seed}`, seed, faults, client });
      }
    }
    add({
      name: "PagerDuty down (every request 5xx)",
      seed: 1,
      faults: { transientErrorRate: 1 },
      client: IMPATIENT,
      expected: "incomplete",
    });
    // Revoked before the first request, the run fails instead: see the test after the table.
    for (const [point, at, expected] of [
      ["after 1 request", () => 1, "incomplete"],
      ["after a quarter of the requests", (n: number) => Math.floor(n / 4), "incomplete"],
      ["halfway", (n: number) => Math.floor(n / 2), "incomplete"],
      ["before the last request", (n: number) => n - 1, "incomplete"],
      ["after the last request", (n: number) => n, "equal"],
    ] as const) {
      add({
        name: `token revoked ${point}`,
        seed: 1,
        faults: (n) => ({ revokeTokenAfter: at(n) }),
        client: UNHURRIED,
        expected,
      });
    }
    const mix: FaultOptions = {
      rateLimitRate: 0.03,
      transientErrorRate: 0.1,
      connectionResetRate: 0.05,
      truncatedBodyRate: 0.05,
      timeoutRate: 0.05,
      timeoutMs: HELD_MS,
    };
    for (const seed of [1, 2, 3]) {
      add({ name: `every fault mixed, patient, seed ${seed}`, seed, faults: mix, client: PATIENT });
      add({ name: `every fault mixed, no retries, seed ${seed}`, seed, faults: mix, client: NO_RETRIES });
    }
    add({
      name: "5xx and truncated pages, then the token revoked halfway",
      seed: 1,
      faults: (n) => ({
        transientErrorRate: 0.1,
        truncatedBodyRate: 0.05,
        revokeTokenAfter: Math.floor(n / 2),
      }),
      client: PATIENT,
      expected: "incomplete",
    });
  }
  return cases;
}
const CASES = buildCases();

interface RunResult {
  result: AuditRun | AppError;
  stats: SandboxStats;
  /** Attempts that met a fault, as the client saw them: every failed or retried attempt but a real 404. */
  faultsMet: number;
  /** Attempts that got a real answer (200 or 404): what a run needs when nothing goes wrong. */
  answered: number;
  /** Requests the client began after a 401 had reached it: there must be none. */
  sentAfterRefusal: number;
}

async function auditAgainstSandbox(
  scenario: Scenario,
  options: {
    seed: number;
    faults: FaultOptions;
    client: Partial<PagerDutyClientOptions>;
    answers?: AnswerOptions;
  },
): Promise<RunResult> {
  // A sandbox per run: its fault draws start from the case's seed, and its port gives the client its own
  // shared rate limiter, so one case's 429 pauses never slow the next.
  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {
    token: TOKEN,
    seed: options.seed,
    faults: options.faults,
    answers: options.answers ?? {},
  });
  try {
    let faultsMet = 0;
    let answered = 0;
    // Seen from the client's side: how many requests the sandbox refuses also depends on how fast the
    // machine delivers the first 401, which a loaded machine makes slow.
    let refusalSeen = false;
    let sentAfterRefusal = 0;
    const watching: typeof fetch = async (input, init) => {
      if (refusalSeen) sentAfterRefusal++;
      const response = await fetch(input, init);
      if (response.status === 401) refusalSeen = true;
      return response;
    };
    const onRequest = (event: RequestEvent) => {
      if (event.outcome === "ok" || event.status === 404) answered++;
      else faultsMet++;
    };
    const config = AuditConfigSchema.parse({ ...scenario.config, pagerduty: { url: sandbox.url } });
    const client = createPagerDutyClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      concurrency: CONCURRENCY,
      requestsPerMinute: 100_000,
      timeoutMs: CLIENT_TIMEOUT_MS,
      // Short back-off keeps the suite quick; 429 waits still follow the sandbox's headers (1 s).
      retryBaseMs: 2,
      retryMaxMs: 20,
      onRequest,
      fetch: watching,
      ...options.client,
    });
    let result: AuditRun | AppError;
    try {
      result = await runAudit({ config, roster: rosterOfScenario(scenario), client, now: NOW });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result = error;
    }
    return { result, stats: sandbox.stats(), faultsMet, answered, sentAfterRefusal };
  } finally {
    await sandbox.stop();
  }
}

/**
 * What a run could not read, from its report's errors: failed schedules, failed user lookups, and (when
 * the user list failed) every user it holds no record of.
 */
function missingDataOf(run: AuditRun) {
  const { errors } = run.report;
  const failedSchedules = new Set(errors.flatMap((e) => (e.kind === "schedule" && e.id ? [e.id] : [])));
  const failedUsers = new Set(errors.flatMap((e) => (e.kind === "user" && e.id ? [e.id] : [])));
  const usersListFailed = errors.some((e) => e.kind === "users_list");
  const read = new Set([...run.snapshot.users.map((u) => u.id), ...run.snapshot.unknownUserIds]);
  return {
    failedSchedules,
    failedUsers,
    usersListFailed,
    isUserMissing: (id: string) => failedUsers.has(id) || (usersListFailed && !read.has(id)),
  };
}

const idsIn = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.filter((v) => typeof v === "string")
      : [];

/**
 * Why a finding rests on data its run could not read; null when it does not. What a finding rests on
 * follows from what it claims: its schedule; for an absence from a rotation, every schedule of the rotation
 * and every account that could be the person; and the PagerDuty users its evidence cites.
 */
function dependencyOnMissingData(finding: Finding, run: AuditRun): string | null {
  const missing = missingDataOf(run);
  const { evidence } = finding;
  if (finding.schedule && missing.failedSchedules.has(finding.schedule.id)) {
    return `its schedule ${finding.schedule.id} could not be read`;
  }
  const cited: string[] = [];
  switch (finding.code) {
    case "duplicate_pagerduty_id":
      break;
    case "missing_pagerduty_id":
      cited.push(...idsIn(evidence.suggested_pagerduty_id));
      break;
    case "unknown_pagerduty_id":
      cited.push(...idsIn(evidence.roster_pagerduty_id), ...idsIn(evidence.suggested_pagerduty_id));
      break;
    case "deleted_user_in_schedule":
      // A schedule reference marked deleted needs no user read; otherwise the lookup's 404 is the evidence.
      if (evidence.deleted_at === null) cited.push(...idsIn(evidence.pagerduty_id));
      break;
    case "missing_from_schedule": {
      const coverage = run.report.coverage.find((c) => c.rotation === finding.rotation);
      const failed = coverage?.schedules.find((s) => missing.failedSchedules.has(s.id));
      if (failed) return `schedule ${failed.id} of its rotation could not be read`;
      // "On none of the schedules" needs every account that could be theirs: any unlisted user might be.
      if (missing.usersListFailed) return "the user list could not be read";
      cited.push(...idsIn(evidence.pagerduty_ids));
      for (const schedule of run.snapshot.schedules) {
        if (coverage?.schedules.some((s) => s.id === schedule.id)) {
          cited.push(...membersAt(schedule, NOW.getTime()).keys());
        }
      }
      break;
    }
    default:
      cited.push(...idsIn(evidence.pagerduty_id));
  }
  const unread = cited.find(missing.isUserMissing);
  return unread === undefined ? null : `it cites PagerDuty user ${unread}, who could not be read`;
}

/**
 * The faulty run read nothing wrong and hid no gap: what it read equals the clean read, whatever the clean
 * run read and it did not is named in its errors, and what its errors name it did not read.
 */
function expectGapsReported(faulty: AuditRun, clean: AuditRun, rosterIds: ReadonlySet<string>): void {
  const missing = missingDataOf(faulty);
  const cleanUsers = new Map(clean.snapshot.users.map((u) => [u.id, u]));
  const cleanUnknown = new Set(clean.snapshot.unknownUserIds);
  for (const user of faulty.snapshot.users) expect(user).toEqual(cleanUsers.get(user.id));
  for (const id of faulty.snapshot.unknownUserIds) expect(cleanUnknown.has(id), `${id} unknown`).toBe(true);
  const read = new Set([...faulty.snapshot.users.map((u) => u.id), ...faulty.snapshot.unknownUserIds]);
  // A schedule member is looked up only once its schedule is read: a failed schedule explains it.
  const onFailedSchedules = new Set(
    clean.snapshot.schedules
      .filter((s) => missing.failedSchedules.has(s.id))
      .flatMap((s) => s.periods.flatMap((p) => p.members.map((m) => m.userId))),
  );
  for (const id of [...cleanUsers.keys(), ...cleanUnknown]) {
    if (read.has(id) || (onFailedSchedules.has(id) && !rosterIds.has(id))) continue;
    expect(missing.isUserMissing(id), `user ${id} unread but not reported`).toBe(true);
  }
  for (const id of missing.failedUsers)
    expect(read.has(id), `user ${id} reported failed but read`).toBe(false);

  const cleanSchedules = new Map(clean.snapshot.schedules.map((s) => [s.id, s]));
  const faultyMissing = new Set(faulty.snapshot.missingScheduleIds);
  for (const schedule of faulty.snapshot.schedules) expect(schedule).toEqual(cleanSchedules.get(schedule.id));
  for (const id of faultyMissing) expect(clean.snapshot.missingScheduleIds).toContain(id);
  for (const id of [...cleanSchedules.keys(), ...clean.snapshot.missingScheduleIds]) {
    const settled = faultyMissing.has(id) || faulty.snapshot.schedules.some((s) => s.id === id);
    expect(settled || missing.failedSchedules.has(id), `schedule ${id} unread but not reported`).toBe(true);
    expect(settled && missing.failedSchedules.has(id), `schedule ${id} reported failed but read`).toBe(false);
  }
}

/**
 * The clean run's finding with the same key: the same claim about the same person, schedule and rotation.
 * Evidence the missing data would have supplied may be left out (null), never replaced.
 */
function expectSameFinding(finding: Finding, clean: Finding | undefined): void {
  expect(clean, `${finding.key} is not in the clean report`).toBeDefined();
  if (!clean) return;
  const { message, evidence, ...claim } = finding;
  const { message: cleanMessage, evidence: cleanEvidence, ...cleanClaim } = clean;
  expect(claim).toEqual(cleanClaim);
  const differing = Object.keys(cleanEvidence).filter(
    (k) => JSON.stringify(evidence[k]) !== JSON.stringify(cleanEvidence[k]),
  );
  expect(evidence).toEqual({ ...cleanEvidence, ...Object.fromEntries(differing.map((k) => [k, null])) });
  if (differing.length === 0) expect(message).toBe(cleanMessage);
}

/**
 * Each finding of an incomplete run is the clean run's same claim (`expectSameFinding`); returns those
 * that rest on data the run could not read, with why (there must be none).
 */
function checkIncompleteFindings(run: AuditRun, clean: AuditRun): string[] {
  const cleanByKey = new Map(clean.report.findings.map((f) => [f.key, f]));
  const dependent: string[] = [];
  for (const finding of run.report.findings) {
    expectSameFinding(finding, cleanByKey.get(finding.key));
    const why = dependencyOnMissingData(finding, run);
    if (why) dependent.push(`${finding.key}: ${why}`);
  }
  return dependent;
}

interface CleanRun {
  run: AuditRun;
  requests: number;
}
const clean = new Map<ScenarioName, CleanRun>();
const tally = { cases: 0, equal: 0, incomplete: 0, dependent: 0, revoked: 0 };
/** Read errors met across the incomplete runs, by kind. */
const gaps: Record<ReportError["kind"], number> = { users_list: 0, schedule: 0, user: 0 };
const started = performance.now();

beforeAll(async () => {
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    const { result, answered } = await auditAgainstSandbox(SCENARIOS[name], {
      seed: 1,
      faults: {},
      client: UNHURRIED,
    });
    if (result instanceof AppError) throw result;
    expect(result.report.complete).toBe(true);
    expect(result.report.findings.length).toBeGreaterThan(10);
    clean.set(name, { run: result, requests: answered });
  }
});

afterAll(() => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fault suite: ${tally.cases} cases — ${tally.equal} equal to clean, ${tally.incomplete} incomplete ` +
      `(${tally.revoked} with the token revoked mid-run) with ${tally.dependent} dependent findings; ` +
      `read errors met: ${gaps.users_list} user list, ${gaps.schedule} schedule, ${gaps.user} user; ${seconds} s`,
  );
});

function rosterIdsOf(scenario: Scenario): Set<string> {
  return new Set(scenario.roster.flatMap((p) => (p.pagerduty?.id ? [p.pagerduty.id] : [])));
}

function cleanRunOf(name: ScenarioName): CleanRun {
  const run = clean.get(name);
  if (!run) throw new Error(`no clean run of ${name}`);
  return run;
}

describe("the audit against a faulty PagerDuty", () => {
  // Concurrent: most of a case is waiting (429 pauses, held requests), and each has its own sandbox.
  it.concurrent.for(CASES)("$scenario: $name", async (c) => {
    const cleanRun = cleanRunOf(c.scenario);
    const faults = typeof c.faults === "function" ? c.faults(cleanRun.requests) : c.faults;
    const { result, stats, faultsMet, sentAfterRefusal } = await auditAgainstSandbox(SCENARIOS[c.scenario], {
      seed: c.seed,
      faults,
      client: c.client,
    });
    // No fault in the table fails the run: a refused token included, since every case's token worked first.
    if (result instanceof AppError) throw new Error(`the run failed: ${result.code}: ${result.message}`);
    const outcome: Outcome = result.report.complete ? "equal" : "incomplete";
    tally.cases++;
    tally[outcome]++;

    // The faults really happened (a token revoked after the last request has nothing left to refuse).
    if (faults.revokeTokenAfter === undefined || faults.revokeTokenAfter < cleanRun.requests) {
      expect(faultsMet).toBeGreaterThan(0);
    }
    if (c.mustMeet) expect(stats.byStatus[c.mustMeet]).toBeGreaterThan(0);
    if (c.expected) expect(outcome).toBe(c.expected);

    const refused = result.report.errors.filter((e) => REFUSED.test(e.message));
    if (stats.byStatus["401"]) {
      // Refused only on requests already on their way when the first 401 came: nothing was sent after it.
      expect(sentAfterRefusal).toBe(0);
      // The cause is plain in the errors and in the one-line summary the CLI and the dashboard show.
      expect(refused.length).toBeGreaterThan(0);
      expect(describeReadErrors(result.report.errors)).toContain("PagerDuty refused the token after");
      expect(JSON.stringify(result.report)).not.toContain(TOKEN);
      tally.revoked++;
    } else {
      expect(refused).toEqual([]);
    }
    expectGapsReported(result, cleanRun.run, rosterIdsOf(SCENARIOS[c.scenario]));
    if (result.report.complete) {
      expect(result.report).toEqual(cleanRun.run.report);
      return;
    }

    expect(result.report.errors.length).toBeGreaterThan(0);
    for (const error of result.report.errors) gaps[error.kind]++;
    const dependent = checkIncompleteFindings(result, cleanRun.run);
    tally.dependent += dependent.length;
    expect(dependent).toEqual([]);
  });
});

/**
 * The requests an answer option costs beyond the clean run (whose v3 list is read, with events inline): a
 * v3 list down costs its own failed attempts instead of its pages, plus each configured shift-based ID's
 * v2 read (the 400); rotations and events answered apart cost their pages.
 */
function extraRequests(scenario: Scenario, answers: AnswerOptions, listAttempts: number): number {
  const configured = new Set(scenario.config.rotations.flatMap((r) => r.schedules));
  const v3 = scenario.pagerduty.schedules.filter((s) => s.kind === "v3");
  const read = v3.filter((s) => configured.has(s.id));
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  let extra = 0;
  if (answers.v3ListStatus !== undefined) extra += listAttempts - pages(v3.length) + read.length;
  if (answers.v3ScheduleOmits === "rotations")
    extra += read.reduce((n, s) => n + pages(s.rotations.length), 0);
  if (answers.v3ScheduleOmits !== undefined) {
    extra += read.reduce((n, s) => n + s.rotations.reduce((m, r) => m + pages(r.events.length), 0), 0);
  }
  return extra;
}

interface AnswerCase {
  name: string;
  answers: AnswerOptions;
  client: Partial<PagerDutyClientOptions>;
  faults?: FaultOptions;
  /** Where the outcome does not depend on fault draws, the one it must be. */
  expected?: Outcome;
}

/**
 * PagerDuty's real answers (issue "Real inputs"): the v2 read of a shift-based schedule answered 400, v3
 * list pages without `more`, a v3 list that is down, shift-based schedules without inline rotations or
 * events. An org with shift-based schedules answered in each of these ways audits completely, with the
 * clean run's report exactly and only the requests the answers cost; where the data is truly unavailable
 * the report is incomplete and no finding rests on the missing data.
 */
const ANSWER_CASES: AnswerCase[] = [
  {
    name: "v3 list refused (403): v2 answers 400, then v3",
    answers: { v3ListStatus: 403 },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "v3 list down (500 after retries)",
    answers: { v3ListStatus: 500 },
    client: { ...UNHURRIED, maxRetries: 2 },
    expected: "equal",
  },
  {
    name: "v3 list refused, v2 answers 404",
    answers: { v3ListStatus: 403, crossNamespace: 404 },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "v3 list pages without more",
    answers: { v3ListOmits: ["more"] },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "v3 list pages without more or total",
    answers: { v3ListOmits: ["more", "total"] },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "v3 schedules without events",
    answers: { v3ScheduleOmits: "events" },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "v3 schedules without rotations",
    answers: { v3ScheduleOmits: "rotations" },
    client: UNHURRIED,
    expected: "equal",
  },
  {
    name: "all at once: v3 list down, no more, no rotations",
    answers: { v3ListStatus: 500, v3ListOmits: ["more", "total"], v3ScheduleOmits: "rotations" },
    client: { ...UNHURRIED, maxRetries: 2 },
    expected: "equal",
  },
  {
    name: "rotation events endpoint down: shift-based schedules unreadable",
    answers: { v3ScheduleOmits: "events", rotationEventsStatus: 500 },
    client: { ...UNHURRIED, maxRetries: 1 },
    expected: "incomplete",
  },
  ...[1, 2, 3].map((seed): AnswerCase => ({
    name: `v3 list down, no rotations, 5xx at 30 %, impatient, seed ${seed}`,
    answers: { v3ListStatus: 403, v3ScheduleOmits: "rotations" },
    client: IMPATIENT,
    faults: { transientErrorRate: 0.3 },
  })),
];

const answerTally = { cases: 0, equal: 0, incomplete: 0 };

describe("the audit against PagerDuty's real answers", () => {
  it.concurrent.for(
    (["demo", "org"] as const).flatMap((scenario) => ANSWER_CASES.map((c) => ({ ...c, scenario }))),
  )("$scenario: $name", async (c) => {
    const cleanRun = cleanRunOf(c.scenario);
    const scenario = SCENARIOS[c.scenario];
    const { result, stats } = await auditAgainstSandbox(scenario, {
      seed: 1,
      faults: c.faults ?? {},
      client: c.client,
      answers: c.answers,
    });
    if (result instanceof AppError) throw new Error(`the run failed: ${result.code}: ${result.message}`);
    const outcome: Outcome = result.report.complete ? "equal" : "incomplete";
    answerTally.cases++;
    answerTally[outcome]++;
    if (c.expected) expect(outcome).toBe(c.expected);
    expectGapsReported(result, cleanRun.run, rosterIdsOf(scenario));

    if (result.report.complete) {
      expect(result.report).toEqual(cleanRun.run.report);
      if (!c.faults) {
        const listAttempts = stats.byRoute["GET /v3/schedules"] ?? 0;
        expect(stats.requests).toBe(cleanRun.requests + extraRequests(scenario, c.answers, listAttempts));
      }
      return;
    }
    expect(result.report.errors.length).toBeGreaterThan(0);
    const dependent = checkIncompleteFindings(result, cleanRun.run);
    expect(dependent).toEqual([]);
  });

  it("the scenarios hold what the cases are about: configured shift-based schedules with rotations", () => {
    for (const scenario of Object.values(SCENARIOS)) {
      const configured = new Set(scenario.config.rotations.flatMap((r) => r.schedules));
      const read = scenario.pagerduty.schedules.filter((s) => s.kind === "v3" && configured.has(s.id));
      expect(read.length).toBeGreaterThan(1);
      expect(read.some((s) => s.kind === "v3" && s.rotations.some((r) => r.events.length > 0))).toBe(true);
    }
  });
});

describe("a token refused on its very first request", () => {
  it.for(Object.keys(SCENARIOS) as ScenarioName[])(
    "%s: fails the run at once with a clear unauthorized:pagerduty error, and no report",
    async (name) => {
      const { result, stats } = await auditAgainstSandbox(SCENARIOS[name], {
        seed: 1,
        faults: { revokeTokenAfter: 0 },
        client: UNHURRIED,
      });
      expect(result).toBeInstanceOf(AppError);
      if (!(result instanceof AppError)) return;
      expect(result.code).toBe("unauthorized:pagerduty");
      expect(result.message).toMatch(
        /401 Unauthorized to GET \/(users|v3\/schedules): this API token has been revoked\. The API token was rejected/,
      );
      expect(result.message).not.toContain(TOKEN);
      // The first round goes out together (the user list's first pages, asked ahead of its total, and the
      // v3 list); nothing after it.
      expect(stats.requests).toBeLessThanOrEqual(CONCURRENCY);
      expect(stats.byStatus["200"]).toBeUndefined();
    },
  );
});

describe("the fault suite itself", () => {
  it("meets every outcome across the table, so it cannot pass vacuously", () => {
    expect(tally.cases).toBe(CASES.length);
    expect(tally.equal).toBeGreaterThan(0);
    expect(tally.incomplete).toBeGreaterThan(0);
    expect(tally.revoked).toBeGreaterThan(0);
    // Gaps of both big kinds were met (user lookups fail too, but only as the draws fall).
    expect(gaps.users_list).toBeGreaterThan(0);
    expect(gaps.schedule).toBeGreaterThan(0);
  });

  it("met both outcomes across PagerDuty's real answers", () => {
    expect(answerTally.cases).toBe(ANSWER_CASES.length * Object.keys(SCENARIOS).length);
    expect(answerTally.equal).toBeGreaterThan(0);
    expect(answerTally.incomplete).toBeGreaterThan(0);
  });

  it("would catch a dependent finding: with everything unread, only roster-only findings stand", () => {
    const { run } = cleanRunOf("demo");
    expect(run.report.findings.filter((f) => dependencyOnMissingData(f, run))).toEqual([]);
    const failure = (kind: ReportError["kind"], id: string | null): ReportError => ({
      kind,
      id,
      message: "injected",
      withheld: [],
    });
    const nothingRead: AuditRun = {
      ...run,
      snapshot: { ...run.snapshot, users: [], unknownUserIds: [], schedules: [], missingScheduleIds: [] },
      report: {
        ...run.report,
        complete: false,
        errors: [
          failure("users_list", null),
          ...run.report.coverage.flatMap((c) => c.schedules.map((s) => failure("schedule", s.id))),
        ],
      },
    };
    const standing = run.report.findings.filter((f) => dependencyOnMissingData(f, nothingRead) === null);
    const roster = (f: Finding) =>
      f.code === "duplicate_pagerduty_id" ||
      (f.code === "missing_pagerduty_id" && f.evidence.suggested_pagerduty_id === null);
    expect(standing.length).toBeGreaterThan(0);
    expect(standing.filter((f) => !roster(f))).toEqual([]);
    expect(run.report.findings.length - standing.length).toBeGreaterThan(10);

    // One failed lookup is enough to disqualify a finding that cites the user.
    const citing = run.report.findings.find((f) => f.code === "email_mismatch");
    const userId = idsIn(citing?.evidence.pagerduty_id)[0];
    expect(userId).toBeDefined();
    const oneFailed: AuditRun = {
      ...run,
      snapshot: { ...run.snapshot, users: run.snapshot.users.filter((u) => u.id !== userId) },
      report: { ...run.report, complete: false, errors: [failure("user", userId ?? null)] },
    };
    expect(citing && dependencyOnMissingData(citing, oneFailed)).toMatch(/could not be read/);
  });
});
