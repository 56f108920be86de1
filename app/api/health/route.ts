import { getAppContext } from "@/lib/service/app-context";
import { checkHealth, type Health } from "@/lib/service/health";

export const dynamic = "force-dynamic";

/** `GET /api/health`: 200 when the database answers and takes a write and the config loads, else 503. No session needed. */
export async function GET(): Promise<Response> {
  let health: Health;
  try {
    health = await checkHealth(await getAppContext());
  } catch (error) {
    console.error("[audit] health check: the server context could not be created", error);
    health = { ok: false, checks: { database: false, databaseWrite: false, config: false } };
  }
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
