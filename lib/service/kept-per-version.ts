/**
 * Reads kept per version of an audit's data (`getAuditDataVersion`): what the overview and the activity
 * show changes only with an action, a reply or a run, each of which moves the version, in whichever app
 * instance it happens; reading the version is one small query where the reads it saves grew with the audit.
 */
import type { Audit, Db } from "@/lib/db/queries";
import { getAuditById, getAuditDataVersion } from "@/lib/db/queries";

/** Per database handle (one per app instance; tests open several), per key: the newest read and its version. */
export type KeptPerVersion<T> = WeakMap<Db, Map<string, { version: string; value: Promise<T> }>>;

/**
 * `read()` once per `version` of the data under `key`: the read kept while the version is the one it was
 * made at (and, with `usable`, while the value it gave still is: a read model valid until a timer runs
 * out), else a new read (kept in its place). Read the version before the data, so that a read is never
 * kept under a version newer than itself. A failed read is not kept.
 */
export async function keptPerVersion<T>(
  kept: KeptPerVersion<T>,
  db: Db,
  key: string,
  version: string,
  read: () => Promise<T>,
  usable?: (value: T) => boolean,
): Promise<T> {
  let byKey = kept.get(db);
  if (!byKey) {
    byKey = new Map();
    kept.set(db, byKey);
  }
  const entry = byKey.get(key);
  if (entry?.version === version) {
    const value = await entry.value;
    if (!usable || usable(value)) return value;
  }
  const fresh = { version, value: read() };
  byKey.set(key, fresh);
  fresh.value.catch(() => {
    if (byKey.get(key) === fresh) byKey.delete(key);
  });
  return fresh.value;
}

/**
 * How a read learns an audit's data version. By default each read asks the database itself; a page that
 * makes several reads of one audit (the overview: counts, activity, burn-down, trend, send-back) passes one
 * reader that asks once per request, so the version is read once instead of once per read.
 */
export type VersionOf = (auditId: string) => Promise<string>;

/** The default `VersionOf`: the database's answer at each call. */
export function versionFromDatabase(db: Db): VersionOf {
  return (auditId) => getAuditDataVersion(db, auditId);
}

/**
 * The audit's id and its data version, refusing an audit that does not exist (`not_found:audit`): given
 * only the id, the audit is read alongside the version; given the audit as read already, it is not read
 * again.
 */
export async function readKnownAuditVersion(
  db: Db,
  auditOrId: Audit | string,
  versionOf: VersionOf,
): Promise<{ auditId: string; version: string }> {
  const auditId = typeof auditOrId === "string" ? auditOrId : auditOrId.id;
  const [, version] = await Promise.all([
    typeof auditOrId === "string" ? getAuditById(db, auditId) : auditOrId,
    versionOf(auditId),
  ]);
  return { auditId, version };
}
