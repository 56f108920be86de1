import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { Database, DialectName } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import * as initial from "./0001-initial";
import * as issueClaim from "./0002-issue-claim";
import * as healthProbe from "./0003-health-probe";
import * as actorKey from "./0004-actor-key";
import * as chaseClaims from "./0005-chase-claims";
import * as sendBackClaim from "./0006-send-back-claim";
import * as scheduledRuns from "./0007-scheduled-runs";
import * as autopilot from "./0008-autopilot";
import * as itemOwner from "./0009-item-owner";
import * as personTimezone from "./0010-person-timezone";
import * as autopilotPauses from "./0011-autopilot-pauses";
import * as managerTimezone from "./0012-manager-timezone";

type MigrationUp = (db: Kysely<unknown>, dialect: DialectName) => Promise<void>;

/** In name order. A shipped migration is never edited: change the schema with a new one. */
const MIGRATIONS: Record<string, MigrationUp> = {
  "0001-initial": initial.up,
  "0002-issue-claim": issueClaim.up,
  "0003-health-probe": healthProbe.up,
  "0004-actor-key": actorKey.up,
  "0005-chase-claims": chaseClaims.up,
  "0006-send-back-claim": sendBackClaim.up,
  "0007-scheduled-runs": scheduledRuns.up,
  "0008-autopilot": autopilot.up,
  "0009-item-owner": itemOwner.up,
  "0010-person-timezone": personTimezone.up,
  "0011-autopilot-pauses": autopilotPauses.up,
  "0012-manager-timezone": managerTimezone.up,
};

/** The migrations as modules of this code base (no folder to scan at run time, so bundling keeps them). */
export function createMigrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, up] of Object.entries(MIGRATIONS)) {
        migrations[name] = { up: (db) => up(db, dialect) };
      }
      return migrations;
    },
  };
}

/**
 * Brings the schema up to date; a no-op when it is. `schema` (Postgres) is where Kysely keeps its own
 * migration tables: the connection's current schema, so that another schema's tables in the same
 * database are never mistaken for ours. Throws AppError `internal:database` when a migration fails.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: DialectName,
  schema?: string,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new AppError(
      "internal:database",
      `The database could not be migrated${failed ? ` (migration ${failed} failed)` : ""}.`,
      { cause: error },
    );
  }
  return (results ?? []).map((r) => r.migrationName);
}
