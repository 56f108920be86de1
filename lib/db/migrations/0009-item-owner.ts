import type { Kysely } from "kysely";

/**
 * Who owns a finding no colleague can fix (someone on a schedule who is not in the roster, a deleted user,
 * a schedule that does not exist): the name of the owner the config gives the finding's rotation, as the
 * run that saw it resolved it. Nullable text: null is Support Operations (and every colleague's finding).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("items").addColumn("owner_name", "text").execute();
}
