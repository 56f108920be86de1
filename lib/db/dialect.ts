import {
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
} from "kysely";

/**
 * Marks the adapter of this app's SQLite databases. Next bundles Kysely into several server chunks that
 * share one database handle, so `adapter instanceof SqliteAdapter` is false for a handle made by another
 * chunk's copy; a registered symbol is the same in every copy.
 */
const SQLITE_ADAPTER = Symbol.for("pagerduty-audit.sqlite-adapter");

/** better-sqlite3's handle: it says whether a transaction is open. */
export interface SqliteHandle extends SqliteDatabase {
  readonly inTransaction: boolean;
}

/**
 * `SqliteDialect` whose adapter carries the mark `isSqlite` looks for, and whose driver rolls back only a
 * transaction that is still open (see `CauseKeepingSqliteDriver`).
 */
export class MarkedSqliteDialect extends SqliteDialect {
  readonly #database: SqliteHandle;

  constructor(config: { database: SqliteHandle }) {
    super(config);
    this.#database = config.database;
  }

  override createDriver(): Driver {
    return new CauseKeepingSqliteDriver(this.#database);
  }

  override createAdapter(): DialectAdapter {
    return Object.assign(super.createAdapter(), { [SQLITE_ADAPTER]: true });
  }
}

/**
 * SQLite ends a transaction itself on some errors (SQLITE_FULL on a full disk, SQLITE_IOERR, SQLITE_NOMEM).
 * Kysely then sends ROLLBACK, which fails with "cannot rollback - no transaction is active" and is thrown
 * in place of the error that says what went wrong. Skip the ROLLBACK when there is nothing left to undo.
 */
class CauseKeepingSqliteDriver extends SqliteDriver {
  readonly #database: SqliteHandle;

  constructor(database: SqliteHandle) {
    super({ database });
    this.#database = database;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#database.inTransaction) return;
    await super.rollbackTransaction(connection);
  }
}

/** Whether `db` (a Kysely instance or transaction) talks to SQLite, whichever copy of Kysely made it. */
export function isSqlite(db: { getExecutor(): { adapter: DialectAdapter } }): boolean {
  return (db.getExecutor().adapter as unknown as Record<symbol, unknown>)[SQLITE_ADAPTER] === true;
}
