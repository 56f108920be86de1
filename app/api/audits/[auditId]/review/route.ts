import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema } from "@/lib/api/schemas";
import { submitForReview } from "@/lib/service/sign-off";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/review`: Support Operations hand the audit over for review. */
export const POST = apiHandler({
  permission: "audit:run",
  params: AuditParamsSchema,
  run: ({ app, user, params }) =>
    submitForReview(app, { auditId: params.auditId, actor: user.name, actorKey: user.personKey }),
});
