/** What the query modules share: the handle types, the event log's insert, the errors they throw. */
import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from "kysely";
import { eventToRow, type NewEvent } from "@/lib/db/records";
import type { Database } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import type { ItemState } from "@/lib/workflow/types";

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/** Appends events with the change they record, in the caller's transaction. */
export async function insertEvents(trx: Trx, events: readonly NewEvent[]): Promise<void> {
  for (const chunk of chunks(events, 500))
    await trx.insertInto("events").values(chunk.map(eventToRow)).execute();
}

/** A unique or primary key violation, as better-sqlite3 and pg report it. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return (
    error.code === "23505" ||
    error.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    error.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}

/**
 * Whether a claim renewed at `column` (wall-clock ISO text, like run heartbeats) is free to take: never
 * claimed or released (null), not renewed for `staleAfterMs`, or as far ahead of the wall clock, which no
 * live instance writes (claims of versions that wrote the demo clock's time). A condition for a query's
 * `where`; ISO times of one format compare as text in both databases.
 */
export function claimIsStale(column: string, wallNow: Date, staleAfterMs: number): RawBuilder<SqlBool> {
  const oldest = new Date(wallNow.getTime() - staleAfterMs).toISOString();
  const newest = new Date(wallNow.getTime() + staleAfterMs).toISOString();
  const at = sql.ref(column);
  return sql<SqlBool>`(${at} is null or ${at} < ${oldest} or ${at} > ${newest})`;
}

export async function itemConflict(trx: Trx, itemId: string): Promise<AppError> {
  const current = await trx.selectFrom("items").select("state").where("id", "=", itemId).executeTakeFirst();
  return current ? itemChanged(current.state) : itemNotFound();
}

/** The item left the state its change was decided in; `state` is where it is now. */
export function itemChanged(state: ItemState): AppError {
  return new AppError("conflict:item", `The item changed meanwhile (now ${state}); reload and try again.`);
}

export function auditNotFound(): AppError {
  return new AppError("not_found:audit", "No such audit.");
}

export function auditSignedOffMeanwhile(): AppError {
  return new AppError("conflict:audit", "The audit was signed off meanwhile; it is read-only.");
}

export function itemNotFound(): AppError {
  return new AppError("not_found:item", "No such audit item.");
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Code-point order, the same in every locale (ids are ASCII). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
