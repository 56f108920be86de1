/**
 * Aggregates for the overview's pictures: an audit's item changes per day (its burn-down) and which findings
 * each audit had (the trend across audits). Each is one grouped query, so the page never loads the event
 * log into memory.
 */
import { sql } from "kysely";
import type { FindingCode } from "@/lib/audit/types";
import type { Db } from "@/lib/db/queries/shared";
import { UNRESOLVED_STATES } from "@/lib/workflow/types";

/** How an audit's findings changed on one UTC day, from its event log. */
export interface DailyItemChanges {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Findings recorded for the first time (`detected`). */
  detected: number;
  /** Findings that became ones to address: detected, back after a fix, reopened, pinged after a waiver. */
  entered: number;
  /** Findings that stopped being ones to address: fixed by a re-run, marked intentional, waived. */
  left: number;
}

/** The UTC day of an ISO time column, the same text on SQLite and Postgres. */
function dayOf(column: string) {
  return sql<string>`substr(${sql.ref(column)}, 1, 10)`;
}

/**
 * An audit's item changes per day, oldest first, from one grouped read of the event log: only moves across
 * the line between "to address" and "addressed" count (a ping or a reply moves nothing). Days with no such
 * change are absent.
 */
export async function listDailyItemChanges(db: Db, auditId: string): Promise<DailyItemChanges[]> {
  const unresolved = [...UNRESOLVED_STATES];
  const rows = await db
    .selectFrom("events")
    .select((eb) => [
      dayOf("at").as("day"),
      eb.fn
        .sum<string | number>(eb.case().when("action", "=", "detected").then(1).else(0).end())
        .as("detected"),
      eb.fn
        .sum<string | number>(
          eb
            .case()
            .when(
              eb.and([
                eb("to_state", "in", unresolved),
                eb.or([eb("from_state", "is", null), eb("from_state", "not in", unresolved)]),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("entered"),
      eb.fn
        .sum<string | number>(
          eb
            .case()
            .when(
              eb.and([
                eb("from_state", "in", unresolved),
                eb("to_state", "is not", null),
                eb("to_state", "not in", unresolved),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("left"),
    ])
    .where("audit_id", "=", auditId)
    .where("item_id", "is not", null)
    .groupBy(dayOf("at"))
    .orderBy(dayOf("at"))
    .execute();
  return rows.map((row) => ({
    day: row.day,
    detected: Number(row.detected),
    entered: Number(row.entered),
    left: Number(row.left),
  }));
}

/**
 * Waivers of an audit that have ended by `asOf` (ISO time) without anyone acting since, counted by the day
 * each ended: no event marks that moment, yet from then on the finding is to address again. A waiver with
 * no end counts from the day it was given.
 */
export async function listEndedWaiverDays(
  db: Db,
  auditId: string,
  asOf: string,
): Promise<{ day: string; count: number }[]> {
  const endedOn = sql<string>`substr(coalesce(${sql.ref("waived_until")}, ${sql.ref("state_changed_at")}), 1, 10)`;
  const rows = await db
    .selectFrom("items")
    .select((eb) => [endedOn.as("day"), eb.fn.countAll<string | number>().as("count")])
    .where("audit_id", "=", auditId)
    .where("state", "=", "waived")
    .where((eb) => eb.or([eb("waived_until", "is", null), eb("waived_until", "<=", asOf)]))
    .groupBy(endedOn)
    .execute();
  return rows.map((row) => ({ day: row.day, count: Number(row.count) }));
}

/** Findings of one audit with the same code, person and schedule (a person may miss several rotations). */
export interface FindingGroup {
  auditId: string;
  code: FindingCode;
  /** Null for a finding about a schedule itself (no person). */
  personKey: string | null;
  scheduleId: string | null;
  /** How many of the audit's findings share these. */
  count: number;
}

/** Every audit's findings grouped by code, person key and schedule id, for comparing audits: one grouped read. */
export async function listFindingGroups(db: Db): Promise<FindingGroup[]> {
  const rows = await db
    .selectFrom("items")
    .select((eb) => [
      "audit_id",
      "code",
      "person_key",
      "schedule_id",
      eb.fn.countAll<string | number>().as("count"),
    ])
    .groupBy(["audit_id", "code", "person_key", "schedule_id"])
    .execute();
  return rows.map((row) => ({
    auditId: row.audit_id,
    code: row.code,
    personKey: row.person_key,
    scheduleId: row.schedule_id,
    count: Number(row.count),
  }));
}

/** Whether some run of the audit finished with a report (complete or incomplete). */
export async function hasReportedRun(db: Db, auditId: string): Promise<boolean> {
  const row = await db
    .selectFrom("runs")
    .select("id")
    .where("audit_id", "=", auditId)
    .where("status", "in", ["complete", "incomplete"])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
