/** Runs of an audit: started, kept alive, and finished with their report, items and events together. */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { AuditReport } from "@/lib/audit/types";
import {
  findingColumns,
  RUN_COLUMNS,
  stateColumns,
  runFromRow,
  type EventDetail,
  type ItemFinding,
  type ItemStateChange,
  type NewEvent,
  type Run,
  type RunProgress,
  type RunRow,
} from "@/lib/db/records";
import { lockAudit } from "@/lib/db/queries/locks";
import {
  auditNotFound,
  auditSignedOffMeanwhile,
  chunks,
  claimIsStale,
  compare,
  insertEvents,
  isUniqueViolation,
  itemConflict,
  type Db,
} from "@/lib/db/queries/shared";
import type { EventAction, EventState, FinishedRunStatus, ItemsTable } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import type { ItemState } from "@/lib/workflow/types";

export interface RunInputs {
  rosterSha256: string;
  configSha256: string;
  snapshotSha256: string;
}

/** What a run taken to have died with its process says went wrong (stored, and shown before it is). */
export const ABANDONED_RUN_ERROR =
  "The run stopped without finishing (its server was stopped or could not record the end); run the audit again.";

/**
 * Whether a `running` run's heartbeat (wall clock, ISO) shows no live process owns it: older than
 * `staleAfterMs`, or as far ahead of the wall clock, which no live instance writes (heartbeats of
 * versions that wrote the demo clock's time, a month ahead).
 */
export function isHeartbeatStale(heartbeatAt: string, wallNow: Date, staleAfterMs: number): boolean {
  return Math.abs(wallNow.getTime() - Date.parse(heartbeatAt)) > staleAfterMs;
}

/**
 * Starts a run of an audit. A run still `running` whose heartbeat is stale (`isHeartbeatStale` on the wall
 * clock `wallNow`) is marked `failed` (ABANDONED_RUN_ERROR) and replaced. `now` is the app's clock, for
 * when it started. Throws AppError `conflict:run` when another run is in progress, also when another app
 * instance starts one at the same moment (the one-running-run index decides), and `not_found:audit`.
 */
export async function startRun(
  db: Db,
  input: { auditId: string; startedBy: string; now: Date; wallNow: Date; staleAfterMs: number },
): Promise<Run> {
  const at = input.now.toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      const audit = await trx
        .selectFrom("audits")
        .select("id")
        .where("id", "=", input.auditId)
        .executeTakeFirst();
      if (!audit) throw auditNotFound();
      const running = await selectRunningRun(trx, input.auditId);
      if (running) {
        if (!isHeartbeatStale(running.heartbeat_at, input.wallNow, input.staleAfterMs)) {
          throw runInProgress(running);
        }
        await trx
          .updateTable("runs")
          .set({ status: "failed", error: ABANDONED_RUN_ERROR, finished_at: at })
          .where("id", "=", running.id)
          .where("status", "=", "running")
          .execute();
      }
      const row = await trx
        .insertInto("runs")
        .values({
          id: randomUUID(),
          audit_id: input.auditId,
          status: "running",
          started_at: at,
          finished_at: null,
          started_by: input.startedBy,
          heartbeat_at: input.wallNow.toISOString(),
          roster_sha256: null,
          config_sha256: null,
          snapshot_sha256: null,
          report_json: null,
          findings_count: 0,
          error: null,
          progress_json: null,
        })
        .returning(RUN_COLUMNS)
        .executeTakeFirstOrThrow();
      return runFromRow(row);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another instance inserted its run between our check and our insert.
    throw runInProgress((await selectRunningRun(db, input.auditId)) ?? null, error);
  }
}

/**
 * Records that a run is alive at `wallNow` (the wall clock, never the demo's), with its latest progress.
 * Returns false when the run is no longer running (finished, or taken over as abandoned): the caller
 * should stop.
 */
export async function heartbeatRun(
  db: Db,
  runId: string,
  progress: RunProgress | null,
  wallNow: Date,
): Promise<boolean> {
  const result = await db
    .updateTable("runs")
    .set({ heartbeat_at: wallNow.toISOString(), progress_json: progress ? JSON.stringify(progress) : null })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Marks `failed` (ABANDONED_RUN_ERROR) every running run whose heartbeat is stale on the wall clock, of any
 * audit: what a server does at start, as the runs of a process that died are nobody's. A run another live
 * instance keeps beating is left alone. `now` (the app's clock) is their end. Returns how many.
 */
export async function abandonStaleRuns(
  db: Db,
  input: { now: Date; wallNow: Date; staleAfterMs: number },
): Promise<number> {
  const result = await db
    .updateTable("runs")
    .set({ status: "failed", error: ABANDONED_RUN_ERROR, finished_at: input.now.toISOString() })
    .where("status", "=", "running")
    .where(claimIsStale("heartbeat_at", input.wallNow, input.staleAfterMs))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** An item first seen by this run. `stateChangedAt` defaults to the run's `now`. */
export interface NewItem extends ItemFinding {
  state: ItemState;
  stateChangedAt?: string;
  waivedUntil?: string | null;
  justification?: string | null;
  repliedAt?: string | null;
  recurred?: boolean;
}

/** A change to an existing item, decided from the item as read in `expectedState`. */
export interface ItemRunUpdate {
  id: string;
  expectedState: ItemState;
  /** The finding as this run saw it: refreshes the item's text and marks it seen. Null: not seen. */
  finding: Omit<ItemFinding, "key"> | null;
  next?: ItemStateChange;
  recurred?: boolean;
}

export interface ItemChanges {
  insert: NewItem[];
  update: ItemRunUpdate[];
}

/** An event a run records; its item is named by finding key, so new items need no id yet. */
export interface RunEventInput {
  itemKey: string | null;
  action: EventAction;
  fromState?: EventState | null;
  toState?: EventState | null;
  detail?: EventDetail | null;
  /** Default `system`. */
  actor?: string;
}

export interface FinishRunInput {
  runId: string;
  status: FinishedRunStatus;
  report: AuditReport | null;
  inputs: RunInputs | null;
  error: string | null;
  now: Date;
  items: ItemChanges;
  events: RunEventInput[];
}

/**
 * Stores a run's outcome in one transaction: the report, the items the caller reconciled (new ones
 * inserted, existing ones updated) and the events. All or nothing. Throws AppError `conflict:run` when the
 * run is no longer running (it was taken over as abandoned), `conflict:item` when an item left its
 * `expectedState` meanwhile (read the items again, reconcile again, retry), `conflict:audit` when the audit
 * was signed off meanwhile and the outcome is more than a failure without items or events (record the run
 * as failed instead), `not_found:run`.
 */
export async function finishRun(db: Db, input: FinishRunInput): Promise<Run> {
  const at = input.now.toISOString();
  return db.transaction().execute(async (trx) => {
    const owner = await trx
      .selectFrom("runs")
      .select("audit_id")
      .where("id", "=", input.runId)
      .executeTakeFirst();
    if (!owner) throw new AppError("not_found:run", "No such audit run.");
    // Locked before the run and its items, the order every write that checks the audit takes.
    const auditStatus = await lockAudit(trx, owner.audit_id, "share");
    const run = await trx
      .updateTable("runs")
      .set({
        status: input.status,
        finished_at: at,
        report_json: input.report ? JSON.stringify(input.report) : null,
        findings_count: input.report?.findings.length ?? 0,
        roster_sha256: input.inputs?.rosterSha256 ?? null,
        config_sha256: input.inputs?.configSha256 ?? null,
        snapshot_sha256: input.inputs?.snapshotSha256 ?? null,
        error: input.error,
      })
      .where("id", "=", input.runId)
      .where("status", "=", "running")
      .returning(RUN_COLUMNS)
      .executeTakeFirst();
    if (!run) {
      const current = await trx
        .selectFrom("runs")
        .select(["status", "error"])
        .where("id", "=", input.runId)
        .executeTakeFirst();
      if (!current) throw new AppError("not_found:run", "No such audit run.");
      throw new AppError(
        "conflict:run",
        `The audit run is no longer running (now ${current.status}${current.error ? `: ${current.error}` : ""}).`,
      );
    }
    // A signed-off audit is the record: a run may still end there as failed, but changes nothing.
    const changesRecord =
      input.status !== "failed" ||
      input.items.insert.length > 0 ||
      input.items.update.length > 0 ||
      input.events.length > 0;
    if (auditStatus === "signed_off" && changesRecord) throw auditSignedOffMeanwhile();

    const newRows = input.items.insert.map((item) => newItemRow(item, run.audit_id, run.id, at));
    for (const chunk of chunks(newRows, 200)) await trx.insertInto("items").values(chunk).execute();

    // One order for every multi-item write keeps two transactions from locking the same rows crosswise.
    const updates = [...input.items.update].sort((a, b) => compare(a.id, b.id));
    for (const update of updates) {
      const set = {
        ...(update.finding ? { ...findingColumns(update.finding), last_seen_run_id: run.id } : {}),
        ...(update.next ? stateColumns(update.next) : {}),
        ...(update.recurred === undefined ? {} : { recurred: update.recurred ? 1 : 0 }),
      };
      const row = await trx
        .updateTable("items")
        // An update that changes nothing still checks the item's state, and SQL needs something to set.
        .set(Object.keys(set).length > 0 ? set : { state: update.expectedState })
        .where("id", "=", update.id)
        .where("audit_id", "=", run.audit_id)
        .where("state", "=", update.expectedState)
        .returning("id")
        .executeTakeFirst();
      if (!row) throw await itemConflict(trx, update.id);
    }

    if (input.events.length > 0) {
      const byKey = new Map(
        (
          await trx
            .selectFrom("items")
            .select(["id", "key", "person_key"])
            .where("audit_id", "=", run.audit_id)
            .execute()
        ).map((item) => [item.key, item]),
      );
      const events = input.events.map((event): NewEvent => {
        const item = event.itemKey === null ? null : byKey.get(event.itemKey);
        if (item === undefined) {
          throw new AppError(
            "internal:run",
            `An event names item ${event.itemKey}, which the audit does not have.`,
          );
        }
        return {
          auditId: run.audit_id,
          itemId: item?.id ?? null,
          personKey: item?.person_key ?? null,
          actor: event.actor ?? "system",
          at: input.now,
          action: event.action,
          fromState: event.fromState ?? null,
          toState: event.toState ?? null,
          detail: event.detail ?? null,
        };
      });
      await insertEvents(trx, events);
    }
    return runFromRow(run);
  });
}

/** The most recently started run of an audit, or null before the first. */
export async function getLatestRun(db: Db, auditId: string): Promise<Run | null> {
  const [run] = await listRuns(db, auditId, { limit: 1 });
  return run ?? null;
}

/** Newest first. */
export async function listRuns(db: Db, auditId: string, options: { limit?: number } = {}): Promise<Run[]> {
  let query = db
    .selectFrom("runs")
    .select(RUN_COLUMNS)
    .where("audit_id", "=", auditId)
    .orderBy("started_at", "desc")
    .orderBy("id", "desc");
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(runFromRow);
}

/** The report a run stored; null when it stored none (failed). Throws AppError `not_found:run`. */
export async function getRunReport(db: Db, runId: string): Promise<AuditReport | null> {
  const row = await db.selectFrom("runs").select("report_json").where("id", "=", runId).executeTakeFirst();
  if (!row) throw new AppError("not_found:run", "No such audit run.");
  // Written only by finishRun, from a typed AuditReport; the report's own contract is additive.
  return row.report_json === null ? null : (JSON.parse(row.report_json) as AuditReport);
}

function selectRunningRun(db: Db, auditId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom("runs")
    .select(RUN_COLUMNS)
    .where("audit_id", "=", auditId)
    .where("status", "=", "running")
    .executeTakeFirst();
}

function newItemRow(item: NewItem, auditId: string, runId: string, at: string): Selectable<ItemsTable> {
  return {
    id: randomUUID(),
    audit_id: auditId,
    key: item.key,
    ...findingColumns(item),
    state: item.state,
    state_changed_at: item.stateChangedAt ?? at,
    waived_until: item.waivedUntil ?? null,
    justification: item.justification ?? null,
    replied_at: item.repliedAt ?? null,
    first_seen_run_id: runId,
    last_seen_run_id: runId,
    recurred: item.recurred ? 1 : 0,
    created_at: at,
  };
}

function runInProgress(run: RunRow | null, cause?: unknown): AppError {
  const who = run ? ` (started by ${run.started_by} at ${run.started_at})` : "";
  return new AppError("conflict:run", `An audit run is already in progress${who}.`, { cause });
}
