import { apiHandler, jsonResponse } from "@/lib/api/handler";
import { openCurrentAudit } from "@/lib/service/runs";

export const dynamic = "force-dynamic";

/** `POST /api/audits`: opens the current period's audit → 201 Audit; 409 `conflict:audit` if it exists. */
export const POST = apiHandler({
  permission: "audit:open",
  run: async ({ app, user }) => jsonResponse(await openCurrentAudit(app, user.name), 201),
});
