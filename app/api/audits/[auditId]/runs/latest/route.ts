import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { getLatestAuditRun } from "@/lib/service/runs";

export const dynamic = "force-dynamic";

/** `GET /api/audits/[auditId]/runs/latest`: the newest run (polled while it runs), or null. */
export const GET = apiHandler({
  params: AuditParamsSchema,
  run: ({ app, params }) => getLatestAuditRun(app, params.auditId),
});
