/** Replies read from the audit issue, recorded on their items. */
import { itemFromRow, type Item } from "@/lib/db/records";
import type { ItemEventInput } from "@/lib/db/queries/items";
import { lockAuditsOfItems } from "@/lib/db/queries/locks";
import { compare, insertEvents, type Db } from "@/lib/db/queries/shared";
import type { ItemState } from "@/lib/workflow/types";

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
          ...reply.event,
          // A GitLab username from the issue, not a signed-in person.
          actorKey: null,
          action: "reply",
          auditId: row.audit_id,
          itemId: row.id,
          personKey: row.person_key,
          fromState: reply.expectedState,
          toState: row.state,
        },
      ]);
      recorded.push(itemFromRow(row));
    }
    return recorded;
  });
}
