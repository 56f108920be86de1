import { CHASE_ACTIONS } from "@/lib/workflow/chase";
/** The append-only event log: what happened to an audit and its items, and who did it. */
import { eventFromRow, eventToRow, type AuditEvent, type NewEvent } from "@/lib/db/records";
import type { Db } from "@/lib/db/queries/shared";
import { ACTIVITY_ACTIONS, PERSON_HISTORY_ACTIONS, REVIEW_ACTIONS, type EventAction } from "@/lib/db/schema";

/** Appends an event that changes no stored state (a comment posted, a reminder sent). */
export async function appendEvent(db: Db, event: NewEvent): Promise<AuditEvent> {
  const row = await db
    .insertInto("events")
    .values(eventToRow(event))
    .returningAll()
    .executeTakeFirstOrThrow();
  return eventFromRow(row);
}

/** An audit's events in the order they were appended, optionally of one person or one item. */
export async function listEvents(
  db: Db,
  filters: { auditId: string; personKey?: string; itemId?: string; actions?: readonly EventAction[] },
): Promise<AuditEvent[]> {
  let query = db.selectFrom("events").selectAll().where("audit_id", "=", filters.auditId);
  if (filters.actions !== undefined) {
    if (filters.actions.length === 0) return [];
    query = query.where("action", "in", filters.actions);
  }
  if (filters.personKey !== undefined) query = query.where("person_key", "=", filters.personKey);
  if (filters.itemId !== undefined) query = query.where("item_id", "=", filters.itemId);
  return (await query.orderBy("id").execute()).map(eventFromRow);
}

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
        .where("action", "in", CHASE_ACTIONS)
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
  return rows.map(eventFromRow);
}

/**
 * The newest hand-over of an audit's review (submitted, sent back, withdrawn or signed off), or null before
 * the first: one row, however long the event log has grown.
 */
export async function getLatestReviewEvent(db: Db, auditId: string): Promise<AuditEvent | null> {
  const row = await db
    .selectFrom("events")
    .selectAll()
    .where("audit_id", "=", auditId)
    .where("action", "in", REVIEW_ACTIONS)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

/** An event of an audit's activity, with the name of the person whose finding it is about. */
export interface ActivityEvent {
  event: AuditEvent;
  /** The finding's person as the run recorded them; null for a finding about no person. */
  personName: string | null;
}

/**
 * An audit's activity (ACTIVITY_ACTIONS: chase steps, replies, resolutions, reopenings, re-run results),
 * newest first: all, or `limit` events after skipping `offset` of them.
 */
export async function listActivity(
  db: Db,
  auditId: string,
  page?: { limit: number; offset: number },
): Promise<ActivityEvent[]> {
  let query = db
    .selectFrom("events")
    .leftJoin("items", "items.id", "events.item_id")
    .selectAll("events")
    .select("items.person_name")
    .where("events.audit_id", "=", auditId)
    .where("events.action", "in", ACTIVITY_ACTIONS)
    .orderBy("events.id", "desc");
  // SQLite takes an offset only with a limit.
  if (page) query = query.limit(page.limit).offset(page.offset);
  return (await query.execute()).map(({ person_name, ...row }) => ({
    event: eventFromRow(row),
    personName: person_name,
  }));
}

/** How many events an audit's activity holds (see `listActivity`). */
export async function countActivity(db: Db, auditId: string): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((e) => e.fn.countAll<string | number>().as("count"))
    .where("audit_id", "=", auditId)
    .where("action", "in", ACTIVITY_ACTIONS)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
