/** Audits: one per fiscal quarter, moved between open and in review, and signed off. */
import { randomUUID } from "node:crypto";
import type { Updateable } from "kysely";
import { auditFromRow, type Audit, type EventDetail, type Item } from "@/lib/db/records";
import { lockAudit } from "@/lib/db/queries/locks";
import { auditNotFound, insertEvents, isUniqueViolation, type Db, type Trx } from "@/lib/db/queries/shared";
import type { AuditStatus, AuditsTable, EventAction } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";

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
    return auditFromRow(row);
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
  return auditFromRow(row);
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
  return rows.map(auditFromRow);
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
  return rows.map(auditFromRow);
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
    /** The send-back claim (`claimSendBack`) this change ends: refused unless it still holds it. */
    sendBackClaimId?: string;
  },
): Promise<Audit> {
  const claim = input.sendBackClaimId;
  return db.transaction().execute((trx) =>
    changeAuditStatus(
      trx,
      input.auditId,
      input.expectedStatus,
      {
        status: input.status,
        ...(claim === undefined ? {} : { send_back_claim_id: null, send_back_claimed_at: null }),
      },
      {
        actor: input.actor,
        actorKey: input.actorKey ?? null,
        at: input.now,
        action: "set_audit_status",
        detail: input.detail ?? null,
      },
      claim,
    ),
  );
}

/**
 * Claims sending the audit back for `claimId`, before its comment is posted on the audit issue: of several
 * reviewers sending back at once, exactly one gets it (one conditional UPDATE). Refused (false) unless the
 * audit is in review with no live claim; a claim older than `staleAfterMs` belonged to a send-back that
 * died and is taken over. `setAuditStatus` with `sendBackClaimId` ends it; `releaseSendBackClaim` drops it.
 */
export async function claimSendBack(
  db: Db,
  input: { auditId: string; claimId: string; now: Date; staleAfterMs: number },
): Promise<boolean> {
  const staleBefore = new Date(input.now.getTime() - input.staleAfterMs).toISOString();
  const result = await db
    .updateTable("audits")
    .set({ send_back_claim_id: input.claimId, send_back_claimed_at: input.now.toISOString() })
    .where("id", "=", input.auditId)
    .where("status", "=", "in_review")
    .where((eb) =>
      eb.or([eb("send_back_claimed_at", "is", null), eb("send_back_claimed_at", "<", staleBefore)]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Drops the send-back claim when `claimId` still holds it (its comment could not be posted). */
export async function releaseSendBackClaim(
  db: Db,
  input: { auditId: string; claimId: string },
): Promise<void> {
  await db
    .updateTable("audits")
    .set({ send_back_claim_id: null, send_back_claimed_at: null })
    .where("id", "=", input.auditId)
    .where("send_back_claim_id", "=", input.claimId)
    .execute();
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
 * `conflict:audit` when the audit is no longer in `expectedStatus`, when the items or the newest run
 * differ from `basis` (the hash no longer describes them), or when `attempt` is no longer the next
 * sign-off's number; `not_found:audit`.
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
    /**
     * The sign-off's number among the audit's sign-offs, 1 for the first (logged with it, so that what it
     * posts can be told apart from what an earlier, undone one posted); checked under the lock.
     */
    attempt?: number;
  },
): Promise<Audit> {
  const at = input.now.toISOString();
  return db.transaction().execute(async (trx) => {
    const status = await lockAudit(trx, input.auditId, "update");
    if (input.basis && status === input.expectedStatus) {
      await assertSignOffBasis(trx, input.auditId, input.basis);
    }
    if (input.attempt !== undefined && status === input.expectedStatus) {
      const { count } = await trx
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
        .where("audit_id", "=", input.auditId)
        .where("action", "=", "sign_off")
        .executeTakeFirstOrThrow();
      if (Number(count) + 1 !== input.attempt) {
        throw new AppError("conflict:audit", "The audit changed meanwhile; reload and try again.");
      }
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
        detail: {
          reportSha256: input.reportSha256,
          overrideReason: input.overrideReason,
          ...(input.attempt === undefined ? {} : { attempt: input.attempt }),
        },
      },
    );
  });
}

/**
 * Reopens a signed-off audit: back to `status`, the sign-off's fields cleared, logged `reopen_audit` with
 * `detail` (why). Only the sign-off identified by `signedOffAt` and `reportSha256` is reopened: throws
 * AppError `conflict:audit` when the audit is not signed off or was signed off otherwise; `not_found:audit`.
 */
export async function reopenSignedOffAudit(
  db: Db,
  input: {
    auditId: string;
    signedOffAt: string;
    reportSha256: string;
    status: "open" | "in_review";
    actor: string;
    actorKey?: string | null;
    now: Date;
    detail: EventDetail;
  },
): Promise<Audit> {
  return db.transaction().execute(async (trx) => {
    await lockAudit(trx, input.auditId, "update");
    const row = await trx
      .selectFrom("audits")
      .select(["signed_off_at", "sign_off_report_sha256"])
      .where("id", "=", input.auditId)
      .executeTakeFirst();
    if (
      row &&
      (row.signed_off_at !== input.signedOffAt || row.sign_off_report_sha256 !== input.reportSha256)
    ) {
      throw new AppError("conflict:audit", "The audit changed meanwhile; reload and try again.");
    }
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
        detail: input.detail,
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

async function changeAuditStatus(
  trx: Trx,
  auditId: string,
  expectedStatus: AuditStatus,
  set: Omit<Updateable<AuditsTable>, "id"> & { status: AuditStatus },
  event: {
    actor: string;
    actorKey: string | null;
    at: Date;
    action: EventAction;
    detail: EventDetail | null;
  },
  /** Also refused unless this send-back claim is held. */
  sendBackClaimId?: string,
): Promise<Audit> {
  const row = await trx
    .updateTable("audits")
    .set(set)
    .where("id", "=", auditId)
    .where("status", "=", expectedStatus)
    .$if(sendBackClaimId !== undefined, (q) => q.where("send_back_claim_id", "=", sendBackClaimId ?? ""))
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
  await insertEvents(trx, [{ ...event, auditId, fromState: expectedStatus, toState: set.status }]);
  return auditFromRow(row);
}

/** Deletes every audit with its runs, items and events. For the demo and e2e reset only. */
export async function deleteAllAudits(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("chase_claims").execute();
    await trx.deleteFrom("autopilot_pauses").execute();
    await trx.deleteFrom("events").execute();
    await trx.deleteFrom("items").execute();
    await trx.deleteFrom("runs").execute();
    await trx.deleteFrom("audits").execute();
  });
}

/**
 * Turns the audit's autopilot on or off and logs who did (`set_autopilot`, with `{ on }`), in one
 * transaction. Refused with `conflict:audit` once the audit is signed off; turning it to what it already
 * is logs nothing and returns the audit as it is.
 */
export async function setAuditAutopilot(
  db: Db,
  input: { auditId: string; on: boolean; actor: string; actorKey: string | null; now: Date },
): Promise<Audit> {
  return db.transaction().execute(async (trx) => {
    if ((await lockAudit(trx, input.auditId, "update")) === "signed_off") {
      throw new AppError("conflict:audit", "The audit was signed off; its autopilot can no longer change.");
    }
    const row = await trx
      .updateTable("audits")
      .set({ autopilot: input.on ? 1 : 0 })
      .where("id", "=", input.auditId)
      .where("autopilot", "=", input.on ? 0 : 1)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const current = await trx
        .selectFrom("audits")
        .selectAll()
        .where("id", "=", input.auditId)
        .executeTakeFirst();
      if (!current) throw auditNotFound();
      return auditFromRow(current);
    }
    await insertEvents(trx, [
      {
        auditId: input.auditId,
        actor: input.actor,
        actorKey: input.actorKey,
        at: input.now,
        action: "set_autopilot",
        detail: { on: input.on },
      },
    ]);
    return auditFromRow(row);
  });
}
