import { SqliteDialect, type DialectAdapter } from "kysely";

/**
 * Marks the adapter of this app's SQLite databases. Next bundles Kysely into several server chunks that
 * share one database handle, so `adapter instanceof SqliteAdapter` is false for a handle made by another
 * chunk's copy; a registered symbol is the same in every copy.
 */
const SQLITE_ADAPTER = Symbol.for("pagerduty-audit.sqlite-adapter");

/** `SqliteDialect` whose adapter carries the mark `isSqlite` looks for. */
export class MarkedSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return Object.assign(super.createAdapter(), { [SQLITE_ADAPTER]: true });
  }
}

/** Whether `db` (a Kysely instance or transaction) talks to SQLite, whichever copy of Kysely made it. */
export function isSqlite(db: { getExecutor(): { adapter: DialectAdapter } }): boolean {
  return (db.getExecutor().adapter as unknown as Record<symbol, unknown>)[SQLITE_ADAPTER] === true;
}
