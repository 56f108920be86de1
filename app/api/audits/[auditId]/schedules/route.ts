import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { getScheduleCoverage } from "@/lib/service/schedules";

export const dynamic = "force-dynamic";

/** `GET /api/audits/[auditId]/schedules`: who is on each rotation's schedules and who should be. */
export const GET = apiHandler({
  params: AuditParamsSchema,
  run: ({ app, params }) => getScheduleCoverage(app, params.auditId),
});
