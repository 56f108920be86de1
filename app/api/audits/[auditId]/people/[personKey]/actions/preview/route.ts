import { apiHandler } from "@/lib/api/handler";
import { ChasePreviewSchema, PersonParamsSchema, permissionForAction } from "@/lib/api/schemas";
import { previewPersonChase } from "@/lib/service/item-actions";
import { permissionTargetFor } from "@/lib/service/targets";

export const dynamic = "force-dynamic";

/**
 * `POST /api/audits/[auditId]/people/[personKey]/actions/preview` `{ action: { type: "ping" | "escalate",
 * note? }, itemIds? }` → `{ body, findings, warnings }`: the exact comment the same action would post on the
 * audit issue now. Posts and records nothing, but is checked as the action is (who may take it, the
 * workflow's 409, `conflict:audit_issue` before the audit has an issue).
 */
export const POST = apiHandler({
  params: PersonParamsSchema,
  input: ChasePreviewSchema,
  permission: async ({ input, params, roster }) => ({
    permission: permissionForAction(input.action),
    target: permissionTargetFor(params.personKey, await roster()),
  }),
  run: ({ app, user, input, params }) =>
    previewPersonChase(app, {
      auditId: params.auditId,
      personKey: params.personKey,
      itemIds: input.itemIds,
      action: input.action,
      actor: user.name,
    }),
});
