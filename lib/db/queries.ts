/**
 * Every read and write of the audit database. The same Kysely queries run on SQLite and Postgres. Callers
 * decide (the workflow rules, the sign-off rules); these functions store the decision atomically and
 * refuse it with a `conflict:*` AppError when the stored data changed since the caller read it.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import { isSqlite } from "@/lib/db/dialect";
import type { AuditReport, FindingCode, Severity } from "@/lib/audit/types";
import {
  findingColumns,
  RUN_COLUMNS,
  stateColumns,
  toAudit,
  toEvent,
  toItem,
  toRun,
  type Audit,
  type AuditEvent,
  type EventDetail,
  type Item,
  type ItemFinding,
  type ItemStateChange,
  type Run,
  type RunProgress,
  type RunRow,
} from "@/lib/db/records";
import {
  PERSON_HISTORY_ACTIONS,
  type AuditStatus,
  type AuditsTable,
  type Database,
  type EventAction,
  type EventState,
  type EventsTable,
  type FinishedRunStatus,
  type ItemsTable,
} from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import type { ItemState } from "@/lib/workflow/types";

export type {
  Audit,
  AuditEvent,
  EventDetail,
  Item,
  ItemFinding,
  ItemStateChange,
  Run,
  RunProgress,
} from "@/lib/db/records";

export type Db = Kysely<Database>;
type Trx = Transaction<Database>;

// ---------------------------------------------------------------------------------------------------------
// Audits

export interface NewAudit {
  name: string;
  fiscalYear: number;
  quarter: number;
  opensOn: string;
  dueOn: string;
  createdBy: string;
  now: Date;
  issueUrl?: string | null;
  issueIid?: number | null;
}

/** Creates an `open` audit. Throws AppError `conflict:audit` when the name is taken. */
export async function createAudit(db: Db, input: NewAudit): Promise<Audit> {
  try {
    const row = await db
      .insertInto("audits")
      .values({
        id: randomUUID(),
        name: input.name,
        fiscal_year: input.fiscalYear,
        quarter: input.quarter,
        opens_on: input.opensOn,
        due_on: input.dueOn,
        status: "open",
        created_at: input.now.toISOString(),
        created_by: input.createdBy,
        issue_url: input.issueUrl ?? null,
        issue_iid: input.issueIid ?? null,
        signed_off_at: null,
        signed_off_by: null,
        sign_off_report_sha256: null,
        sign_off_override_reason: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAudit(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict:audit", `An audit named ${input.name} already exists.`, { cause: error });
    }
    throw error;
  }
}

/** Throws AppError `not_found:audit`. */
export async function getAuditById(db: Db, auditId: string): Promise<Audit> {
  const row = await db.selectFrom("audits").selectAll().where("id", "=", auditId).executeTakeFirst();
  if (!row) throw auditNotFound();
  return toAudit(row);
}

/** Throws AppError `not_found:audit`. */
export async function getAuditByName(db: Db, name: string): Promise<Audit> {
  const row = await db.selectFrom("audits").selectAll().where("name", "=", name).executeTakeFirst();
  if (!row) throw auditNotFound();
  return toAudit(row);
}

/** Newest fiscal quarter first. */
export async function listAudits(db: Db): Promise<Audit[]> {
  const rows = await db
    .selectFrom("audits")
    .selectAll()
    .orderBy("fiscal_year", "desc")
    .orderBy("quarter", "desc")
    .orderBy("name")
    .execute();
  return rows.map(toAudit);
}

/**
 * Audits whose GitLab issue may still get replies that matter: linked to an issue and not signed off (a
 * sign-off closes the issue and freezes the audit). Newest fiscal quarter first.
 */
export async function listOpenAuditsWithIssue(db: Db): Promise<Audit[]> {
  const rows = await db
    .selectFrom("audits")
    .selectAll()
    .where("issue_iid", "is not", null)
    .where("status", "!=", "signed_off")
    .orderBy("fiscal_year", "desc")
    .orderBy("quarter", "desc")
    .orderBy("name")
    .execute();
  return rows.map(toAudit);
}

/** Links the audit's GitLab issue. Throws AppError `not_found:audit`. */
export async function setAuditIssue(
  db: Db,
  input: { auditId: string; issueUrl: string | null; issueIid: number | null },
): Promise<Audit> {
  const row = await db
    .updateTable("audits")
    .set({ issue_url: input.issueUrl, issue_iid: input.issueIid })
    .where("id", "=", input.auditId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw auditNotFound();
  return toAudit(row);
}

/**
 * Moves an audit between `open` and `in_review` and logs it. Throws AppError `conflict:audit` when the
 * audit is no longer in `expectedStatus`, `not_found:audit`.
 */
export async function setAuditStatus(
  db: Db,
  input: {
    auditId: string;
    expectedStatus: "open" | "in_review";
    status: "open" | "in_review";
    actor: string;
    /** Person key of the signed-in person who acted. */
    actorKey?: string | null;
    now: Date;
    /** Why, e.g. a reviewer's comment when sending the audit back. */
    detail?: EventDetail | null;
  },
): Promise<Audit> {
  return db.transaction().execute((trx) =>
    changeAuditStatus(
      trx,
      input.auditId,
      input.expectedStatus,
      { status: input.status },
      {
        actor: input.actor,
        actorKey: input.actorKey ?? null,
        at: input.now,
        action: "set_audit_status",
        detail: input.detail ?? null,
      },
    ),
  );
}

/** What a sign-off was decided on and hashed: the run whose report is signed and every item as read. */
export interface SignOffBasis {
  /** The newest `complete` or `incomplete` run of the audit when it was read. */
  runId: string;
  items: readonly Pick<Item, "id" | "state" | "stateChangedAt" | "justification" | "waivedUntil">[];
}

/**
 * Records the manager's sign-off: who, when, the sha256 of the report signed and, when signed with
 * findings left, why. The audit row is locked first, so no item change or run result lands between the
 * check of `basis` and the sign-off (they check the audit's status under the same lock). Throws AppError
 * `conflict:audit` when the audit is no longer in `expectedStatus`, or when the items or the newest run
 * differ from `basis` (the hash no longer describes them); `not_found:audit`.
 */
export async function signOffAudit(
  db: Db,
  input: {
    auditId: string;
    expectedStatus: "open" | "in_review";
    signedOffBy: string;
    /** Person key of who signs off (`signedOffBy` is their display name). */
    signedOffByKey?: string | null;
    now: Date;
    reportSha256: string;
    overrideReason: string | null;
    /** Omitted: signed without comparing (setup in tests and scripts). */
    basis?: SignOffBasis;
  },
): Promise<Audit> {
  const at = input.now.toISOString();
  return db.transaction().execute(async (trx) => {
    const status = await lockAudit(trx, input.auditId, "update");
    if (input.basis && status === input.expectedStatus) {
      await assertSignOffBasis(trx, input.auditId, input.basis);
    }
    return changeAuditStatus(
      trx,
      input.auditId,
      input.expectedStatus,
      {
        status: "signed_off",
        signed_off_at: at,
        signed_off_by: input.signedOffBy,
        signed_off_by_key: input.signedOffByKey ?? null,
        sign_off_report_sha256: input.reportSha256,
        sign_off_override_reason: input.overrideReason,
      },
      {
        actor: input.signedOffBy,
        actorKey: input.signedOffByKey ?? null,
        at: input.now,
        action: "sign_off",
        detail: { reportSha256: input.reportSha256, overrideReason: input.overrideReason },
      },
    );
  });
}

async function assertSignOffBasis(trx: Trx, auditId: string, basis: SignOffBasis): Promise<void> {
  const rows = await trx
    .selectFrom("items")
    .select(["id", "state", "state_changed_at", "justification", "waived_until"])
    .where("audit_id", "=", auditId)
    .execute();
  const read = new Map(basis.items.map((item) => [item.id, item]));
  const itemsSame =
    rows.length === basis.items.length &&
    rows.every((row) => {
      const item = read.get(row.id);
      return (
        item !== undefined &&
        item.state === row.state &&
        item.stateChangedAt === row.state_changed_at &&
        item.justification === row.justification &&
        item.waivedUntil === row.waived_until
      );
    });
  const newest = await trx
    .selectFrom("runs")
    .select("id")
    .where("audit_id", "=", auditId)
    .where("status", "in", ["complete", "incomplete"])
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!itemsSame || newest?.id !== basis.runId) {
    throw new AppError("conflict:audit", "Findings changed while signing off; review again.");
  }
}

/**
 * Withdraws a sign-off: the audit goes back to `status` and its sign-off fields are cleared. The event
 * keeps the withdrawn sign-off. Throws AppError `conflict:audit` when the audit is not signed off.
 */
export async function reopenAudit(
  db: Db,
  input: {
    auditId: string;
    status: "open" | "in_review";
    actor: string;
    actorKey?: string | null;
    now: Date;
    reason: string | null;
  },
): Promise<Audit> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("audits")
      .selectAll()
      .where("id", "=", input.auditId)
      .executeTakeFirst();
    if (!before) throw auditNotFound();
    return changeAuditStatus(
      trx,
      input.auditId,
      "signed_off",
      {
        status: input.status,
        signed_off_at: null,
        signed_off_by: null,
        signed_off_by_key: null,
        sign_off_report_sha256: null,
        sign_off_override_reason: null,
      },
      {
        actor: input.actor,
        actorKey: input.actorKey ?? null,
        at: input.now,
        action: "reopen_audit",
        detail: {
          reason: input.reason,
          signedOffAt: before.signed_off_at,
          signedOffBy: before.signed_off_by,
          signedOffByKey: before.signed_off_by_key,
          reportSha256: before.sign_off_report_sha256,
          overrideReason: before.sign_off_override_reason,
        },
      },
    );
  });
}

async function changeAuditStatus(
  trx: Trx,
  auditId: string,
  expectedStatus: AuditStatus,
  set: Partial<Omit<AuditsTable, "id">> & { status: AuditStatus },
  event: {
    actor: string;
    actorKey: string | null;
    at: Date;
    action: EventAction;
    detail: EventDetail | null;
  },
): Promise<Audit> {
  const row = await trx
    .updateTable("audits")
    .set(set)
    .where("id", "=", auditId)
    .where("status", "=", expectedStatus)
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const current = await trx
      .selectFrom("audits")
      .select("status")
      .where("id", "=", auditId)
      .executeTakeFirst();
    if (!current) throw auditNotFound();
    throw new AppError(
      "conflict:audit",
      `The audit changed meanwhile (now ${current.status}); reload and try again.`,
    );
  }
  await insertEvents(trx, [
    {
      audit_id: auditId,
      item_id: null,
      person_key: null,
      actor: event.actor,
      actor_key: event.actorKey,
      at: event.at.toISOString(),
      action: event.action,
      from_state: expectedStatus,
      to_state: set.status,
      detail_json: event.detail ? JSON.stringify(event.detail) : null,
    },
  ]);
  return toAudit(row);
}

// ---------------------------------------------------------------------------------------------------------
// Runs

export interface RunInputs {
  rosterSha256: string;
  configSha256: string;
  snapshotSha256: string;
}

/**
 * Starts a run of an audit. A run still `running` whose heartbeat is older than `staleAfterMs` is marked
 * `failed` ("abandoned") and replaced. Throws AppError `conflict:run` when another run is in progress,
 * also when another app instance starts one at the same moment (the one-running-run index decides), and
 * `not_found:audit`.
 */
export async function startRun(
  db: Db,
  input: { auditId: string; startedBy: string; now: Date; staleAfterMs: number },
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
        const heartbeat = Date.parse(running.heartbeat_at);
        if (heartbeat >= input.now.getTime() - input.staleAfterMs) throw runInProgress(running);
        await trx
          .updateTable("runs")
          .set({ status: "failed", error: "abandoned", finished_at: at })
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
          heartbeat_at: at,
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
      return toRun(row);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another instance inserted its run between our check and our insert.
    throw runInProgress((await selectRunningRun(db, input.auditId)) ?? null, error);
  }
}

/**
 * Records that a run is alive, with its latest progress. Returns false when the run is no longer running
 * (finished, or taken over as abandoned): the caller should stop.
 */
export async function heartbeatRun(
  db: Db,
  runId: string,
  progress: RunProgress | null,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable("runs")
    .set({ heartbeat_at: now.toISOString(), progress_json: progress ? JSON.stringify(progress) : null })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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
        heartbeat_at: at,
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
      const eventRows = input.events.map((event) => {
        const item = event.itemKey === null ? null : byKey.get(event.itemKey);
        if (item === undefined) {
          throw new AppError(
            "internal:run",
            `An event names item ${event.itemKey}, which the audit does not have.`,
          );
        }
        return {
          audit_id: run.audit_id,
          item_id: item?.id ?? null,
          person_key: item?.person_key ?? null,
          actor: event.actor ?? "system",
          actor_key: null,
          at,
          action: event.action,
          from_state: event.fromState ?? null,
          to_state: event.toState ?? null,
          detail_json: event.detail ? JSON.stringify(event.detail) : null,
        };
      });
      await insertEvents(trx, eventRows);
    }
    return toRun(run);
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
  return (await query.execute()).map(toRun);
}

/** The report a run stored; null when it stored none (failed). Throws AppError `not_found:run`. */
export async function getRunReport(db: Db, runId: string): Promise<AuditReport | null> {
  const row = await db.selectFrom("runs").select("report_json").where("id", "=", runId).executeTakeFirst();
  if (!row) throw new AppError("not_found:run", "No such audit run.");
  // Written only by finishRun, from a typed AuditReport; the report's own contract is additive.
  return row.report_json === null ? null : (JSON.parse(row.report_json) as AuditReport);
}

// ---------------------------------------------------------------------------------------------------------
// Items

export interface ItemFilters {
  states?: readonly ItemState[];
  codes?: readonly FindingCode[];
  severity?: Severity;
  personKey?: string;
}

/** An audit's items, by finding key. An empty `states` or `codes` list matches nothing. */
export async function listItems(db: Db, auditId: string, filters: ItemFilters = {}): Promise<Item[]> {
  if (filters.states?.length === 0 || filters.codes?.length === 0) return [];
  let query = db.selectFrom("items").selectAll().where("audit_id", "=", auditId);
  if (filters.states) query = query.where("state", "in", filters.states);
  if (filters.codes) query = query.where("code", "in", filters.codes);
  if (filters.severity) query = query.where("severity", "=", filters.severity);
  if (filters.personKey !== undefined) query = query.where("person_key", "=", filters.personKey);
  return (await query.orderBy("key").execute()).map(toItem);
}

export async function getItemsByPerson(db: Db, auditId: string, personKey: string): Promise<Item[]> {
  return listItems(db, auditId, { personKey });
}

/** Throws AppError `not_found:item`. */
export async function getItemById(db: Db, itemId: string): Promise<Item> {
  const row = await db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirst();
  if (!row) throw itemNotFound();
  return toItem(row);
}

/** Who did what, when; the event's item, person and states are taken from the change itself. */
export interface ItemEventInput {
  actor: string;
  /** Person key of the signed-in person who acted; null (the default) for the system. */
  actorKey?: string | null;
  at: Date;
  action: EventAction;
  detail?: EventDetail | null;
}

export interface ItemStateUpdate {
  itemId: string;
  /** The state the caller read; the change applies only while the item is still in it. */
  expectedState: ItemState;
  /**
   * The item's `stateChangedAt` and `repliedAt` as read, when the decision depended on more than the state:
   * a waive of an expired waiver stays `waived`, a reply keeps the state. The change then applies only
   * while both are still as read. Omitted: only the state is compared.
   */
  expectedSince?: Pick<Item, "stateChangedAt" | "repliedAt">;
  next: ItemStateChange;
  event: ItemEventInput;
}

/**
 * Applies one decided change and logs it, together. Throws AppError `conflict:item` when the item is no
 * longer as the caller read it (`expectedState`, `expectedSince`: someone acted meanwhile),
 * `conflict:audit` when its audit was signed off meanwhile, `not_found:item`.
 */
export async function updateItemState(db: Db, update: ItemStateUpdate): Promise<Item> {
  return db.transaction().execute(async (trx) => {
    await lockAuditsOfItems(trx, [update.itemId]);
    const item = await applyItemState(trx, update);
    if (!item) throw await itemConflict(trx, update.itemId);
    return item;
  });
}

export interface ItemConflict {
  itemId: string;
  expectedState: ItemState;
  /** Null when the item does not exist. */
  currentState: ItemState | null;
}

/**
 * Applies many decided changes in one transaction, each under the same rule as updateItemState. A change
 * whose item moved on is skipped (and not logged); the others apply. Changes are applied, logged and
 * returned in item id order, the one order every multi-item write uses. Throws AppError `conflict:audit`,
 * applying none, when an item's audit was signed off meanwhile.
 */
export async function applyItemStates(
  db: Db,
  updates: readonly ItemStateUpdate[],
): Promise<{ applied: Item[]; conflicts: ItemConflict[] }> {
  return db.transaction().execute(async (trx) => {
    await lockAuditsOfItems(
      trx,
      updates.map((u) => u.itemId),
    );
    const applied: Item[] = [];
    const conflicts: ItemConflict[] = [];
    for (const update of [...updates].sort((a, b) => compare(a.itemId, b.itemId))) {
      const item = await applyItemState(trx, update);
      if (item) {
        applied.push(item);
        continue;
      }
      const current = await trx
        .selectFrom("items")
        .select("state")
        .where("id", "=", update.itemId)
        .executeTakeFirst();
      conflicts.push({
        itemId: update.itemId,
        expectedState: update.expectedState,
        currentState: current?.state ?? null,
      });
    }
    return { applied, conflicts };
  });
}

async function applyItemState(trx: Trx, update: ItemStateUpdate): Promise<Item | null> {
  let query = trx
    .updateTable("items")
    .set(stateColumns(update.next))
    .where("id", "=", update.itemId)
    .where("state", "=", update.expectedState);
  const since = update.expectedSince;
  if (since) {
    query = query.where("state_changed_at", "=", since.stateChangedAt);
    query =
      since.repliedAt === null
        ? query.where("replied_at", "is", null)
        : query.where("replied_at", "=", since.repliedAt);
  }
  const row = await query.returningAll().executeTakeFirst();
  if (!row) return null;
  await insertEvents(trx, [
    {
      audit_id: row.audit_id,
      item_id: row.id,
      person_key: row.person_key,
      actor: update.event.actor,
      actor_key: update.event.actorKey ?? null,
      at: update.event.at.toISOString(),
      action: update.event.action,
      from_state: update.expectedState,
      to_state: row.state,
      detail_json: update.event.detail ? JSON.stringify(update.event.detail) : null,
    },
  ]);
  return toItem(row);
}

// ---------------------------------------------------------------------------------------------------------
// Events

export interface NewEvent {
  auditId: string;
  itemId?: string | null;
  personKey?: string | null;
  actor: string;
  /** Person key of the signed-in person who acted; null (the default) for the system. */
  actorKey?: string | null;
  at: Date;
  action: EventAction;
  fromState?: EventState | null;
  toState?: EventState | null;
  detail?: EventDetail | null;
}

/** Appends an event that changes no stored state (a comment posted, a reminder sent). */
export async function appendEvent(db: Db, event: NewEvent): Promise<AuditEvent> {
  const row = await db
    .insertInto("events")
    .values({
      audit_id: event.auditId,
      item_id: event.itemId ?? null,
      person_key: event.personKey ?? null,
      actor: event.actor,
      actor_key: event.actorKey ?? null,
      at: event.at.toISOString(),
      action: event.action,
      from_state: event.fromState ?? null,
      to_state: event.toState ?? null,
      detail_json: event.detail ? JSON.stringify(event.detail) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

/** An audit's events in the order they were appended, optionally of one person or one item. */
export async function listEvents(
  db: Db,
  filters: { auditId: string; personKey?: string; itemId?: string },
): Promise<AuditEvent[]> {
  let query = db.selectFrom("events").selectAll().where("audit_id", "=", filters.auditId);
  if (filters.personKey !== undefined) query = query.where("person_key", "=", filters.personKey);
  if (filters.itemId !== undefined) query = query.where("item_id", "=", filters.itemId);
  return (await query.orderBy("id").execute()).map(toEvent);
}

/** The events that chase a person: what "last pinged" means. */
export const PING_EVENT_ACTIONS = ["ping", "escalate", "record_dm"] as const;

/**
 * When each person of the audit was last pinged, escalated or sent a DM: person key → `at` of their newest
 * such event. One row per person, however long the event log has grown.
 */
export async function listLastPings(db: Db, auditId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("events")
    .select(["person_key", "at"])
    .where("id", "in", (eb) =>
      eb
        .selectFrom("events")
        .select((e) => e.fn.max("id").as("id"))
        .where("audit_id", "=", auditId)
        .where("action", "in", PING_EVENT_ACTIONS)
        .where("person_key", "is not", null)
        .groupBy("person_key"),
    )
    .execute();
  return new Map(rows.flatMap((row) => (row.person_key === null ? [] : [[row.person_key, row.at] as const])));
}

/**
 * What was sent to a person (pings, escalations, DMs), their replies, and the resolutions without a fix
 * and reopenings of their findings, oldest first.
 */
export async function listPersonHistory(db: Db, auditId: string, personKey: string): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("audit_id", "=", auditId)
    .where("person_key", "=", personKey)
    .where("action", "in", PERSON_HISTORY_ACTIONS)
    .orderBy("id")
    .execute();
  return rows.map(toEvent);
}

// ---------------------------------------------------------------------------------------------------------
// Rows

type EventRow = Omit<Selectable<EventsTable>, "id">;

async function insertEvents(trx: Trx, rows: EventRow[]): Promise<void> {
  for (const chunk of chunks(rows, 500)) await trx.insertInto("events").values(chunk).execute();
}

function selectRunningRun(db: Db, auditId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom("runs")
    .select(RUN_COLUMNS)
    .where("audit_id", "=", auditId)
    .where("status", "=", "running")
    .executeTakeFirst();
}

/**
 * Locks the audit's row until the transaction ends and returns its status. Writes that must not land after
 * a sign-off take it `share` (they do not wait for one another); the sign-off takes it `update`, so it waits
 * for them and they for it. Postgres only: SQLite serves one app instance, whose one connection runs
 * transactions one after another. Throws AppError `not_found:audit`.
 */
async function lockAudit(trx: Trx, auditId: string, mode: "share" | "update"): Promise<AuditStatus> {
  const locks = !isSqlite(trx);
  const row = await trx
    .selectFrom("audits")
    .select("status")
    .where("id", "=", auditId)
    .$if(locks && mode === "share", (q) => q.forShare())
    .$if(locks && mode === "update", (q) => q.forUpdate())
    .executeTakeFirst();
  if (!row) throw auditNotFound();
  return row.status;
}

/**
 * Locks (`share`) the audits of the items, before any item is written: refuses with AppError
 * `conflict:audit` when one was signed off. Unknown items are left to the write to report.
 */
async function lockAuditsOfItems(trx: Trx, itemIds: readonly string[]): Promise<void> {
  const auditIds = new Set<string>();
  for (const chunk of chunks([...new Set(itemIds)], 500)) {
    const rows = await trx.selectFrom("items").select("audit_id").where("id", "in", chunk).execute();
    for (const row of rows) auditIds.add(row.audit_id);
  }
  for (const auditId of [...auditIds].sort(compare)) {
    if ((await lockAudit(trx, auditId, "share")) === "signed_off") throw auditSignedOffMeanwhile();
  }
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

// ---------------------------------------------------------------------------------------------------------
// Errors

/** A unique or primary key violation, as better-sqlite3 and pg report it. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return (
    error.code === "23505" ||
    error.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    error.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}

function runInProgress(run: RunRow | null, cause?: unknown): AppError {
  const who = run ? ` (started by ${run.started_by} at ${run.started_at})` : "";
  return new AppError("conflict:run", `An audit run is already in progress${who}.`, { cause });
}

async function itemConflict(trx: Trx, itemId: string): Promise<AppError> {
  const current = await trx.selectFrom("items").select("state").where("id", "=", itemId).executeTakeFirst();
  if (!current) return itemNotFound();
  return new AppError(
    "conflict:item",
    `The item changed meanwhile (now ${current.state}); reload and try again.`,
  );
}

function auditNotFound(): AppError {
  return new AppError("not_found:audit", "No such audit.");
}

function auditSignedOffMeanwhile(): AppError {
  return new AppError("conflict:audit", "The audit was signed off meanwhile; it is read-only.");
}

function itemNotFound(): AppError {
  return new AppError("not_found:item", "No such audit item.");
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Code-point order, the same in every locale (ids are ASCII). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deletes every audit with its runs, items and events. For the demo and e2e reset only. */
export async function deleteAllAudits(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("events").execute();
    await trx.deleteFrom("items").execute();
    await trx.deleteFrom("runs").execute();
    await trx.deleteFrom("audits").execute();
  });
}

// ---------------------------------------------------------------------------------------------------------
// The claim on creating an audit's issue

/**
 * Claims the creation of the audit's GitLab issue for `claimId`: of several app instances exporting a
 * new audit at once, exactly one gets it (one conditional UPDATE). Refused (false) while the audit has an
 * issue or a live claim, and for an unknown audit; a claim not renewed for `staleAfterMs` belonged to an
 * instance that died and is taken over.
 */
export async function claimAuditIssue(
  db: Db,
  input: { auditId: string; claimId: string; now: Date; staleAfterMs: number },
): Promise<boolean> {
  const staleBefore = new Date(input.now.getTime() - input.staleAfterMs).toISOString();
  const result = await db
    .updateTable("audits")
    .set({ issue_claim_id: input.claimId, issue_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where("issue_iid", "is", null)
    .where((eb) => eb.or([eb("issue_claimed_at", "is", null), eb("issue_claimed_at", "<", staleBefore)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Keeps the claim live. False when `claimId` no longer holds it (taken over as stale, or released). */
export async function renewAuditIssueClaim(
  db: Db,
  input: { auditId: string; claimId: string; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable("audits")
    .set({ issue_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Links the issue created under the claim and ends the claim, in one statement. Null when `claimId` no
 * longer holds the claim: the audit is left as it is (another export may be creating its issue).
 */
export async function linkClaimedAuditIssue(
  db: Db,
  input: { auditId: string; claimId: string; issueUrl: string; issueIid: number },
): Promise<Audit | null> {
  const row = await db
    .updateTable("audits")
    .set({
      issue_url: input.issueUrl,
      issue_iid: input.issueIid,
      issue_claim_id: null,
      issue_claimed_at: null,
    })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .where("issue_iid", "is", null)
    .returningAll()
    .executeTakeFirst();
  return row ? toAudit(row) : null;
}

/** Ends the claim without an issue (the export failed), so the next export may create it at once. */
export async function releaseAuditIssueClaim(
  db: Db,
  input: { auditId: string; claimId: string },
): Promise<void> {
  await db
    .updateTable("audits")
    .set({ issue_claim_id: null, issue_claimed_at: null })
    .where("id", "=", input.auditId)
    .where("issue_claim_id", "=", input.claimId)
    .execute();
}

// ---------------------------------------------------------------------------------------------------------
// Replies read from the audit issue

export interface ItemReply {
  itemId: string;
  /** The state the caller read; the reply is recorded only while the item is still in it. */
  expectedState: ItemState;
  /** ISO 8601 UTC. Recorded only over no reply or an earlier one. */
  repliedAt: string;
  /** The `reply` event logged with it. */
  event: Omit<ItemEventInput, "action">;
}

/**
 * Records replies: sets each item's `repliedAt` and logs its event, together, in one transaction. A reply is
 * skipped (not logged) when the item left `expectedState`, or already holds a reply at `repliedAt` or later:
 * both checked in the UPDATE itself, so of several app instances reading the same reply at once exactly
 * one records it. The item's state and `stateChangedAt` are not touched. Returns the items recorded, in item
 * id order (the one order every multi-item write uses). Throws AppError `conflict:audit`, recording none,
 * when an item's audit was signed off meanwhile.
 */
export async function recordItemReplies(db: Db, replies: readonly ItemReply[]): Promise<Item[]> {
  if (replies.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await lockAuditsOfItems(
      trx,
      replies.map((r) => r.itemId),
    );
    const recorded: Item[] = [];
    for (const reply of [...replies].sort((a, b) => compare(a.itemId, b.itemId))) {
      const row = await trx
        .updateTable("items")
        .set({ replied_at: reply.repliedAt })
        .where("id", "=", reply.itemId)
        .where("state", "=", reply.expectedState)
        .where((eb) => eb.or([eb("replied_at", "is", null), eb("replied_at", "<", reply.repliedAt)]))
        .returningAll()
        .executeTakeFirst();
      if (!row) continue;
      await insertEvents(trx, [
        {
          audit_id: row.audit_id,
          item_id: row.id,
          person_key: row.person_key,
          actor: reply.event.actor,
          // A GitLab username from the issue, not a signed-in person.
          actor_key: null,
          at: reply.event.at.toISOString(),
          action: "reply",
          from_state: reply.expectedState,
          to_state: row.state,
          detail_json: reply.event.detail ? JSON.stringify(reply.event.detail) : null,
        },
      ]);
      recorded.push(toItem(row));
    }
    return recorded;
  });
}
