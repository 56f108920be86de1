import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema, SignOffSchema } from "@/lib/api/schemas";
import { signOff } from "@/lib/service/sign-off";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/sign-off` `{ overrideReason? }`: sign off (Support Operations Manager). */
export const POST = apiHandler({
  permission: "audit:sign_off",
  params: AuditParamsSchema,
  input: SignOffSchema,
  run: ({ app, user, params, input }) =>
    signOff(app, {
      auditId: params.auditId,
      actor: user.name,
      actorKey: user.personKey,
      overrideReason: input.overrideReason,
    }),
});
