import { sql } from "kysely";
import type { AppContext } from "./context";

export interface Health {
  ok: boolean;
  checks: { database: boolean; config: boolean };
}

/**
 * For load balancers and service managers: can this instance reach its database and read its audit
 * config? Says only yes or no per check (the endpoint is public); the reason is logged on the server.
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
  const [database, config] = await Promise.all([
    probe("database", () => sql`select 1`.execute(ctx.db)),
    probe("config", () => ctx.loadConfig()),
  ]);
  return { ok: database && config, checks: { database, config } };
}
