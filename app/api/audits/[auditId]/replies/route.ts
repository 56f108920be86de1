import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { syncReplies } from "@/lib/service/chase/replies";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/replies`: reads replies from the audit issue (stops their follow-up clocks). */
export const POST = apiHandler({
  permission: "item:ping",
  params: AuditParamsSchema,
  run: ({ app, params }) => syncReplies(app, params.auditId),
});
