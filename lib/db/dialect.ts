import {
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
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
    super({ database: withKeptStatements(database) });
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

/** Statements kept per database, by SQL text; past it the least recently used is dropped. */
const KEPT_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite driver sees it, preparing each SQL text once: the driver prepared every
 * query again (about 80 µs each, a dozen per page), though the same few texts come back on every request.
 * A statement is only ever run to its end (`all` or `run`: Kysely runs one query at a time on SQLite's one
 * connection, and nothing here streams), so a kept statement is never busy when it is asked again.
 */
export function withKeptStatements(database: SqliteDatabase, limit = KEPT_STATEMENTS): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = kept.get(sql);
      if (statement) {
        // Most recently used last, so the oldest is the first to go.
        kept.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (kept.size >= limit) {
          const oldest = kept.keys().next();
          if (!oldest.done) kept.delete(oldest.value);
        }
      }
      kept.set(sql, statement);
      return statement;
    },
  };
}
