import { personKey } from "@/lib/audit/check";
import type { AuditReport, Finding, ReportWarning } from "@/lib/audit/types";
import type {
  Audit,
  ItemFinding,
  ItemRunUpdate,
  NewItem,
  Run,
  RunEventInput,
  RunProgress,
} from "@/lib/db/queries";
import {
  ABANDONED_RUN_ERROR,
  abandonStaleRuns,
  createAudit,
  finishRun,
  getAuditById,
  getLatestRun,
  getRunReport,
  heartbeatRun,
  isHeartbeatStale,
  listItems,
  startRun,
} from "@/lib/db/queries";
import { managerKeyOf } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { personKeyOf, personKeyOfEmail } from "@/lib/roster/person-key";
import type { RosterPerson } from "@/lib/roster/schema";
import { describeReadErrors, runAudit, type RunInputs } from "@/lib/runner/run-audit";
import { currentAuditPeriod } from "@/lib/workflow/fiscal";
import { isColleagueFinding } from "@/lib/workflow/owners";
import { reconcileRun } from "@/lib/workflow/rules";
import type { AppContext } from "./context";
import { resolveScheduleOwners } from "./schedule-owners";

/** Opens the audit of the current audit period (FY27-Q3 …). Refused when it exists already. */
export async function openCurrentAudit(ctx: AppContext, actor: string): Promise<Audit> {
  const now = ctx.clock.now();
  const period = currentAuditPeriod(now);
  return createAudit(ctx.db, {
    name: period.name,
    fiscalYear: period.fiscalYear,
    quarter: period.quarter,
    opensOn: period.opensOn,
    dueOn: period.dueOn,
    createdBy: actor,
    now,
  });
}

/** Refuses changes to an audit that has been signed off: it is the record now. */
export function assertAuditOpen(audit: Audit): void {
  if (audit.status === "signed_off") {
    throw new AppError("conflict:audit", `${audit.name} was signed off; it can no longer be changed.`);
  }
}

/**
 * Starts a run of the audit and returns at once; PagerDuty is read in the background and the run's
 * progress is stored for the pages to poll. A second concurrent run (from this or another app instance)
 * is refused with `conflict:run`.
 */
export async function startAuditRun(
  ctx: AppContext,
  input: { auditId: string; actor: string },
): Promise<Run> {
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const run = await startRun(ctx.db, {
    auditId: audit.id,
    startedBy: input.actor,
    now: ctx.clock.now(),
    wallNow: ctx.clock.wallNow(),
    staleAfterMs: ctx.staleRunAfterMs,
  });
  const work = executeRun(ctx, run).finally(() => ctx.backgroundRuns.delete(run.id));
  ctx.backgroundRuns.set(run.id, work);
  return run;
}

/** How often a running audit writes its progress, at most. */
const PROGRESS_EVERY_MS = 500;
/**
 * A run beats this many times per staleness period whether or not it makes progress (a long wait on
 * PagerDuty's rate limit, storing the result), so only a dead process's run goes stale.
 */
const BEATS_PER_STALE_PERIOD = 6;

async function executeRun(ctx: AppContext, run: Run): Promise<void> {
  let progress: RunProgress | null = null;
  let lastBeat = 0;
  const beat = () => {
    lastBeat = Date.now();
    void heartbeatRun(ctx.db, run.id, progress, ctx.clock.wallNow()).catch((error: unknown) =>
      ctx.log("Could not record run progress", error),
    );
  };
  // Stopped when the run ends, even if its end could not be written: then its heartbeat goes stale and
  // frees the audit.
  const alive = setInterval(beat, ctx.staleRunAfterMs / BEATS_PER_STALE_PERIOD);
  alive.unref();
  try {
    await runAndStore(ctx, run, (next) => {
      progress = next;
      if (Date.now() - lastBeat >= PROGRESS_EVERY_MS) beat();
    });
  } finally {
    clearInterval(alive);
  }
}

async function runAndStore(
  ctx: AppContext,
  run: Run,
  onProgress: (progress: RunProgress) => void,
): Promise<void> {
  try {
    const config = await ctx.loadConfig();
    const roster = await ctx.loadRoster(config);
    const owners = resolveScheduleOwners(
      config,
      roster.entries.map((e) => e.person),
    );
    const { report, hashInputs } = await runAudit({
      config,
      roster,
      client: ctx.createPagerDutyClient(config),
      now: ctx.clock.now(),
      onProgress,
    });
    const people = new Map(roster.entries.map((e) => [personKeyOf(e.person), e.person]));
    const managers = managersOf(roster.entries.map((e) => e.person));
    const inputs = hashInputs();
    // A user may act on an item while PagerDuty is read; then reconcile against what they did and retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await storeRun(ctx, run, report, { people, managers, owners }, inputs);
        return;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof AppError) || error.code !== "conflict:item") throw error;
      }
    }
  } catch (error) {
    ctx.log(`Audit run ${run.id} failed`, error);
    // The signed-off record stays as signed: the run ends as failed and stores nothing it found.
    const message = !(error instanceof AppError)
      ? "The run failed unexpectedly; the server log has the details."
      : error.code === "conflict:audit"
        ? "The audit was signed off while this run was in progress; its results were not stored."
        : error.message;
    await finishRun(ctx.db, {
      runId: run.id,
      status: "failed",
      report: null,
      inputs: null,
      error: message,
      now: ctx.clock.now(),
      items: { insert: [], update: [] },
      events: [],
    }).catch((finishError: unknown) => ctx.log(`Could not record the failure of run ${run.id}`, finishError));
  }
}

async function storeRun(
  ctx: AppContext,
  run: Run,
  report: AuditReport,
  known: ItemContext,
  inputs: RunInputs,
): Promise<void> {
  const now = ctx.clock.now();
  const existing = await listItems(ctx.db, run.auditId);
  const byKey = new Map(report.findings.map((f) => [f.key, f]));
  const reconciliation = reconcileRun(
    existing.map((item) => ({ key: item.key, fields: item })),
    report.findings.map((f) => f.key),
    now,
    report.complete,
  );
  const transitions = new Map(reconciliation.transitions.map((t) => [t.key, t]));
  const insert: NewItem[] = reconciliation.created.flatMap((key) => {
    const finding = byKey.get(key);
    const transition = transitions.get(key);
    if (!finding || !transition) return [];
    return [
      {
        ...toItemFinding(finding, known),
        state: transition.to,
        stateChangedAt: transition.next.stateChangedAt,
      },
    ];
  });
  // Items seen again get their text refreshed; items with a transition change state. Others stay as they are.
  const update: ItemRunUpdate[] = existing.flatMap((item) => {
    const finding = byKey.get(item.key);
    const transition = transitions.get(item.key);
    if (!finding && !transition) return [];
    return [
      {
        id: item.id,
        expectedState: item.state,
        finding: finding ? withoutKey(toItemFinding(finding, known)) : null,
        next: transition && {
          state: transition.to,
          stateChangedAt: transition.next.stateChangedAt,
          waivedUntil: transition.next.waivedUntil,
          repliedAt: transition.next.repliedAt,
        },
        recurred: transition?.action === "recurred" ? true : undefined,
      },
    ];
  });
  const events: RunEventInput[] = reconciliation.transitions.map((t) => ({
    itemKey: t.key,
    action: t.action,
    fromState: t.from,
    toState: t.to,
  }));
  await finishRun(ctx.db, {
    runId: run.id,
    status: report.complete ? "complete" : "incomplete",
    report,
    inputs,
    error: report.complete
      ? null
      : `${describeReadErrors(report.errors)} Findings that depend on them were withheld.`,
    now,
    items: { insert, update },
    events,
  });
}

/**
 * What a run knows besides its report: the roster's people by key, each one's manager by the person's key
 * (for those whose `reports_to` the roster holds), the schedules' owners by rotation.
 */
interface ItemContext {
  people: Map<string, RosterPerson>;
  managers: Map<string, RosterPerson>;
  owners: Map<string, string>;
}

/** Each person's manager, by the person's key: whom `reports_to` names, when the roster holds them. */
function managersOf(roster: readonly RosterPerson[]): Map<string, RosterPerson> {
  const byKey = new Map(roster.map((person) => [personKeyOf(person), person]));
  const managers = new Map<string, RosterPerson>();
  for (const person of roster) {
    const key = managerKeyOf(person, roster);
    const manager = key === null ? undefined : byKey.get(key);
    if (manager) managers.set(personKeyOf(person), manager);
  }
  return managers;
}

/**
 * What an item stores of a finding, with the manager, region and time zone from the roster for filters,
 * pings and the person's working time, the manager's zone and region for the escalation's hours, and
 * the configured owner of a finding no colleague can fix.
 */
function toItemFinding(finding: Finding, { people, managers, owners }: ItemContext): ItemFinding {
  const rosterKey =
    finding.person?.inRoster && finding.person.email ? personKeyOfEmail(finding.person.email) : null;
  const rosterPerson = rosterKey === null ? undefined : people.get(rosterKey);
  const manager = rosterKey === null ? undefined : managers.get(rosterKey);
  return {
    key: finding.key,
    code: finding.code,
    severity: finding.severity,
    personKey: finding.person ? personKey(finding.person) : null,
    personName: finding.person?.name ?? null,
    personEmail: finding.person?.email ?? null,
    gitlabUsername: finding.person?.gitlab ?? null,
    managerName: rosterPerson?.reports_to ?? null,
    region: rosterPerson?.region ?? null,
    personTimezone: rosterPerson?.tzdata_timezone ?? null,
    managerTimezone: manager?.tzdata_timezone ?? null,
    managerRegion: manager?.region ?? null,
    scheduleId: finding.schedule?.id ?? null,
    scheduleName: finding.schedule?.name ?? null,
    rotation: finding.rotation,
    ownerName:
      isColleagueFinding(finding.code) || finding.rotation === null
        ? null
        : (owners.get(finding.rotation) ?? null),
    message: finding.message,
    evidence: finding.evidence,
  };
}

function withoutKey({ key: _key, ...rest }: ItemFinding): Omit<ItemFinding, "key"> {
  return rest;
}

/** Finished runs' warnings kept in memory, newest last: the overview shows the latest run's on every visit. */
const RUN_WARNINGS = new Map<string, Promise<ReportWarning[]>>();
const KEPT_RUN_WARNINGS = 16;

/**
 * What the roster's owners should tidy, as the run read it (its report's `warnings`); none for a run
 * that is running or failed, or whose report was stored before reports carried them. Read from the
 * report once per run: a finished run's report is written once, as it finishes, and never changes (it is
 * megabytes for a large org, too much to read and parse on every visit to the overview).
 */
export async function getRunWarnings(ctx: AppContext, run: Run | null): Promise<ReportWarning[]> {
  if (!run || run.status === "running" || run.status === "failed") return [];
  const kept = RUN_WARNINGS.get(run.id);
  if (kept) return kept;
  const warnings = getRunReport(ctx.db, run.id).then((report) => report?.warnings ?? []);
  RUN_WARNINGS.set(run.id, warnings);
  warnings.catch(() => RUN_WARNINGS.delete(run.id));
  for (const id of RUN_WARNINGS.keys()) {
    if (RUN_WARNINGS.size <= KEPT_RUN_WARNINGS) break;
    RUN_WARNINGS.delete(id);
  }
  return warnings;
}

/**
 * The audit's newest run (polled while it runs), or null before the first; `not_found:audit` for an
 * unknown audit rather than null forever to a poller.
 */
export async function getLatestAuditRun(ctx: AppContext, auditId: string): Promise<Run | null> {
  await getAuditById(ctx.db, auditId);
  const run = await getLatestRun(ctx.db, auditId);
  return run && showRun(ctx, run);
}

/**
 * A run as the pages show it: one still `running` whose heartbeat is stale is shown as what the next start
 * (or server start) records it as, failed and abandoned, so that the Run button is free again even when
 * the dead run could not be marked.
 */
export function showRun(ctx: AppContext, run: Run): Run {
  if (
    run.status !== "running" ||
    !isHeartbeatStale(run.heartbeatAt, ctx.clock.wallNow(), ctx.staleRunAfterMs)
  ) {
    return run;
  }
  return { ...run, status: "failed", error: ABANDONED_RUN_ERROR, progress: null };
}

/**
 * At server start: marks failed the runs no live process owns, those whose heartbeat is stale. A run
 * another instance is working on beats, so it is left running. Returns how many were marked.
 */
export function reapAbandonedRuns(ctx: AppContext): Promise<number> {
  return abandonStaleRuns(ctx.db, {
    now: ctx.clock.now(),
    wallNow: ctx.clock.wallNow(),
    staleAfterMs: ctx.staleRunAfterMs,
  });
}
