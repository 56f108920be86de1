/**
 * Autopilot for the chase: while it is on for an audit, the server takes the steps a person would when they
 * fall due: the escalation (the same comment as the button posts) and, when the server has a Slack token,
 * the Slack DM to the Support Operations Managers; on the recipient's working time (the workflow's timers).
 * Exactly once across instances: a step goes through the same claims as a click. Pinging new findings stays
 * a person's decision: the policy has someone go through them first. Without Slack the DM is a person's.
 */
import { listAudits, setAuditAutopilot, type Audit } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { AppContext } from "../context";
import { actOnDue } from "../item-actions";
import { assertAuditOpen } from "../runs";
import { AUTOPILOT_ACTOR } from "./schedule";

/** Turns the audit's autopilot on or off; the timeline shows who did and when. */
export async function setAutopilot(
  ctx: AppContext,
  input: { auditId: string; on: boolean; actor: string; actorKey?: string | null },
): Promise<Audit> {
  return setAuditAutopilot(ctx.db, {
    auditId: input.auditId,
    on: input.on,
    actor: input.actor,
    actorKey: input.actorKey ?? null,
    now: ctx.clock.now(),
  });
}

export interface ChaseAutopilotResult {
  /** Per audit name, the findings escalated by this tick. */
  escalated: Record<string, number>;
  /** Per audit name, the findings whose Slack DM this tick sent. */
  dms: Record<string, number>;
  /** Audits whose step could not be taken (logged); the next tick tries again. */
  failed: string[];
}

/** Takes the due steps of every open audit whose autopilot is on. Failures are logged, never thrown. */
export async function runChaseAutopilot(ctx: AppContext): Promise<ChaseAutopilotResult> {
  const result: ChaseAutopilotResult = { escalated: {}, dms: {}, failed: [] };
  const slack = (ctx.createSlackClient?.() ?? null) !== null;
  for (const audit of await listAudits(ctx.db)) {
    if (!audit.autopilot || audit.status !== "open") continue;
    try {
      assertAuditOpen(audit);
      const escalated = await actOnDue(ctx, {
        auditId: audit.id,
        action: "escalate",
        actor: AUTOPILOT_ACTOR,
      });
      if (escalated.applied > 0) result.escalated[audit.name] = escalated.applied;
      if (slack) {
        const dms = await actOnDue(ctx, { auditId: audit.id, action: "record_dm", actor: AUTOPILOT_ACTOR });
        if (dms.applied > 0) result.dms[audit.name] = dms.applied;
      }
    } catch (error) {
      result.failed.push(audit.name);
      const why = error instanceof AppError ? error.message : "unexpected error";
      ctx.log(
        `Autopilot could not take ${audit.name}'s due steps (${why}); the next tick tries again.`,
        error,
      );
    }
  }
  return result;
}
