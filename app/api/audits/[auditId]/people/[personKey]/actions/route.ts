import { apiHandler } from "@/lib/api/handler";
import { PersonActionSchema, PersonParamsSchema, permissionForAction } from "@/lib/api/schemas";
import { actOnItems } from "@/lib/service/item-actions";
import { permissionTargetFor } from "@/lib/service/targets";

export const dynamic = "force-dynamic";

/**
 * `POST /api/audits/[auditId]/people/[personKey]/actions` `{ action, itemIds? }` → ActionOutcome. Allowed
 * to Support Operations and to the person's managers (not to the person); nobody marks their own
 * finding intentional or waives it, except the Support Operations Manager with `override: true`,
 * which the event records. A ping or an escalation is a comment on the audit issue, with the action's
 * optional `note` quoted in it (`…/actions/preview` shows it first). 409 on a signed-off audit, when the
 * action fits none of the items, or (`conflict:audit_issue`) for a ping or an escalation before the audit
 * is exported to its issue.
 */
export const POST = apiHandler({
  params: PersonParamsSchema,
  input: PersonActionSchema,
  permission: async ({ input, params, roster }) => ({
    permission: permissionForAction(input.action),
    target: permissionTargetFor(params.personKey, await roster()),
  }),
  run: ({ app, user, input, params }) =>
    actOnItems(app, {
      auditId: params.auditId,
      personKey: params.personKey,
      itemIds: input.itemIds,
      action: input.action,
      actor: user.name,
      actorKey: user.personKey,
    }),
});
