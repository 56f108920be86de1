import { apiHandler, jsonResponse } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { startAuditRun } from "@/lib/service/runs";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/runs`: starts a run → 202 Run; 409 `conflict:run` while one runs. */
export const POST = apiHandler({
  permission: "audit:run",
  params: AuditParamsSchema,
  run: async ({ app, user, params }) =>
    jsonResponse(await startAuditRun(app, { auditId: params.auditId, actor: user.name }), 202),
});
