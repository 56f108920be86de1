import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema, SendBackSchema } from "@/lib/api/schemas";
import { sendBack } from "@/lib/service/sign-off";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/send-back` `{ comment }`: the reviewer sends it back with a comment. */
export const POST = apiHandler({
  permission: "audit:send_back",
  params: AuditParamsSchema,
  input: SendBackSchema,
  run: ({ app, user, params, input }) =>
    sendBack(app, {
      auditId: params.auditId,
      actor: user.name,
      actorKey: user.personKey,
      comment: input.comment,
    }),
});
