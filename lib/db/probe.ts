import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "@/lib/db/schema";

/** 12 KiB of random bytes, 16 KiB as base64 text: more than the free room left in a page, so a database that cannot grow fails the probe. */
const HEADROOM_BYTES = 12 * 1024;

/**
 * Proves the database takes a committed write: in one transaction, writes a new probe row of about 16 KiB
 * and removes the earlier ones. A full disk (SQLITE_FULL), a read-only file or a read-only Postgres
 * replica rejects it, as it would reject the next audit run. Throws the database's own error.
 *
 * The new row is written before the old one is removed, so the write needs room the old row does not
 * free; a plain UPDATE of a small row would still fit in its page on a full disk.
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
