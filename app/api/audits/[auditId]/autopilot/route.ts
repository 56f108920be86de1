import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema, AutopilotSchema } from "@/lib/api/schemas";
import { setAutopilot } from "@/lib/service/autopilot/chase";

export const dynamic = "force-dynamic";

/** `POST /api/audits/[auditId]/autopilot` `{ on }`: Support Operations turn the audit's autopilot on or off. */
export const POST = apiHandler({
  permission: "audit:autopilot",
  params: AuditParamsSchema,
  input: AutopilotSchema,
  run: ({ app, user, params, input }) =>
    setAutopilot(app, { auditId: params.auditId, on: input.on, actor: user.name, actorKey: user.personKey }),
});
