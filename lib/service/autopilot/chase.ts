/**
 * Autopilot for the chase: while it is on for an audit, the server takes the steps a person would when they
 * fall due (today the escalation, the same comment as the button posts), on the recipient's working time
 * (the workflow's timers). Exactly once across instances: a step goes through the same claims as a click.
 * Pinging new findings stays a person's decision: the policy has someone go through them first.
 */
import { listAudits, setAuditAutopilot, type Audit } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import type { AppContext } from "../context";
import { bulkAct } from "../item-actions";
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
  /** Audits whose step could not be taken (logged); the next tick tries again. */
  failed: string[];
}

/** Takes the due steps of every open audit whose autopilot is on. Failures are logged, never thrown. */
export async function runChaseAutopilot(ctx: AppContext): Promise<ChaseAutopilotResult> {
  const result: ChaseAutopilotResult = { escalated: {}, failed: [] };
  for (const audit of await listAudits(ctx.db)) {
    if (!audit.autopilot || audit.status !== "open") continue;
    try {
      assertAuditOpen(audit);
      const outcome = await bulkAct(ctx, { auditId: audit.id, action: "escalate", actor: AUTOPILOT_ACTOR });
      if (outcome.applied > 0) result.escalated[audit.name] = outcome.applied;
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
