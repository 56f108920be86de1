import { sql } from "kysely";
import { probeDatabaseWrite } from "@/lib/db/probe";
import type { AppContext } from "./context";

export interface Health {
  ok: boolean;
  /** `database`: it answers a query; `databaseWrite`: it commits a write (not full, not read-only). */
  checks: { database: boolean; databaseWrite: boolean; config: boolean };
}

/**
 * For load balancers and service managers: can this instance reach its database, write to it, and read
 * its audit config? Says only yes or no per check (the endpoint is public); the reason is logged on the server.
 */
export async function checkHealth(ctx: AppContext): Promise<Health> {
  const probe = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
      return true;
    } catch (error) {
      ctx.log(`health check: ${name} failed`, error);
      return false;
    }
  };
  const [database, databaseWrite, config] = await Promise.all([
    probe("database", () => sql`select 1`.execute(ctx.db)),
    probe("database write", () => probeDatabaseWrite(ctx.db)),
    probe("config", () => ctx.loadConfig()),
  ]);
  return { ok: database && databaseWrite && config, checks: { database, databaseWrite, config } };
}
