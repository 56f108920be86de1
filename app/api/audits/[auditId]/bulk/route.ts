import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema, BulkActionSchema } from "@/lib/api/schemas";
import { chaseStepOf } from "@/lib/workflow/chase";
import { bulkAct } from "@/lib/service/item-actions";

export const dynamic = "force-dynamic";

/**
 * `POST /api/audits/[auditId]/bulk` `{ action }`, a bulk chase step (ping, escalate) → ActionOutcome.
 * Checked with no target: it reaches everyone's items, so only Support Operations may. 409
 * `conflict:audit_issue` before the audit is exported to its issue, where the comments are posted.
 */
export const POST = apiHandler({
  params: AuditParamsSchema,
  input: BulkActionSchema,
  permission: ({ input }) => ({ permission: chaseStepOf(input.action).permission }),
  run: ({ app, user, input, params }) =>
    bulkAct(app, {
      auditId: params.auditId,
      action: input.action,
      actor: user.name,
      actorKey: user.personKey,
    }),
});
