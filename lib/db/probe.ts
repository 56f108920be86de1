import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";

/** 12 KiB of random bytes, 16 KiB as base64 text: more than the room left in a page, so it needs free pages. */
const HEADROOM_BYTES = 12 * 1024;

/**
 * Proves the database takes a committed write: in one transaction, writes a new probe row of about 16 KiB
 * and removes the earlier ones. A full disk (SQLITE_FULL), a read-only file or a read-only Postgres
 * replica rejects it, as it would reject the next audit run. Throws the database's own error.
 *
 * The new row is written before the old one is removed, so the write needs free pages of its own; a plain
 * UPDATE of a small row would still fit in its page on a full disk. (The pages the last probe freed are
 * reused, so the probe fails once the writes that filled the disk have used up the free pages too.)
 */
export async function probeDatabaseWrite(db: Kysely<Database>): Promise<void> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("health_probes")
      .values({ id, headroom: randomBytes(HEADROOM_BYTES).toString("base64") })
      .execute();
    await trx.deleteFrom("health_probes").where("id", "<>", id).execute();
  });
}
