/** The audit row locks that keep writes from landing after a sign-off, taken in one order by every write. */
import { isSqlite } from "@/lib/db/dialect";
import { auditNotFound, auditSignedOffMeanwhile, chunks, compare, type Trx } from "@/lib/db/queries/shared";
import type { AuditStatus } from "@/lib/db/schema";

/**
 * Locks the audit's row until the transaction ends and returns its status. Writes that must not land after
 * a sign-off take it `share` (they do not wait for one another); the sign-off takes it `update`, so it waits
 * for them and they for it. Postgres only: SQLite serves one app instance, whose one connection runs
 * transactions one after another. Throws AppError `not_found:audit`.
 */
export async function lockAudit(trx: Trx, auditId: string, mode: "share" | "update"): Promise<AuditStatus> {
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
export async function lockAuditsOfItems(trx: Trx, itemIds: readonly string[]): Promise<void> {
  const auditIds = new Set<string>();
  for (const chunk of chunks([...new Set(itemIds)], 500)) {
    const rows = await trx.selectFrom("items").select("audit_id").where("id", "in", chunk).execute();
    for (const row of rows) auditIds.add(row.audit_id);
  }
  for (const auditId of [...auditIds].sort(compare)) {
    if ((await lockAudit(trx, auditId, "share")) === "signed_off") throw auditSignedOffMeanwhile();
  }
}
