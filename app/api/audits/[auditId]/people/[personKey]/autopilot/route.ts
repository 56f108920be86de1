import { apiHandler } from "@/lib/api/handler";
import { PersonAutopilotSchema, PersonParamsSchema } from "@/lib/api/schemas";
import { setPersonAutopilotPaused } from "@/lib/service/autopilot/chase";

export const dynamic = "force-dynamic";

/**
 * `POST /api/audits/[auditId]/people/[personKey]/autopilot` `{ paused }`: Support Operations pause autopilot
 * for one person (chased by hand), or resume it.
 */
export const POST = apiHandler({
  permission: "audit:autopilot",
  params: PersonParamsSchema,
  input: PersonAutopilotSchema,
  run: ({ app, user, params, input }) =>
    setPersonAutopilotPaused(app, {
      auditId: params.auditId,
      personKey: params.personKey,
      paused: input.paused,
      actor: user.name,
      actorKey: user.personKey,
    }),
});
