/** An audit's items, one per finding key: read, and changed as the workflow rules decide. */
import type { FindingCode, Severity } from "@/lib/audit/types";
import {
  stateColumns,
  itemFromRow,
  type EventDetail,
  type Item,
  type ItemStateChange,
} from "@/lib/db/records";
import { lockAuditsOfItems } from "@/lib/db/queries/locks";
import { compare, insertEvents, type Db, type Trx } from "@/lib/db/queries/shared";
import type { EventAction } from "@/lib/db/schema";
import type { ItemState } from "@/lib/workflow/types";

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
  return (await query.orderBy("key").execute()).map(itemFromRow);
}

/** The person keys that have items in the audit (one read of the key column, not the items). */
export async function listPersonKeysWithItems(db: Db, auditId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("items")
    .select("person_key")
    .distinct()
    .where("audit_id", "=", auditId)
    .where("person_key", "is not", null)
    .execute();
  return new Set(rows.flatMap((row) => (row.person_key === null ? [] : [row.person_key])));
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

export interface ItemConflict {
  itemId: string;
  expectedState: ItemState;
  /** Null when the item does not exist. */
  currentState: ItemState | null;
}

/**
 * Applies many decided changes in one transaction and logs each with its change. A change applies only
 * while its item is still as the caller read it (`expectedState`, and `expectedSince` when given); a change
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
      ...update.event,
      auditId: row.audit_id,
      itemId: row.id,
      personKey: row.person_key,
      fromState: update.expectedState,
      toState: row.state,
    },
  ]);
  return itemFromRow(row);
}
