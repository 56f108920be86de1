/**
 * Autopilot for the chase: while it is on for an audit, the server takes the steps a person would when they
 * fall due: the escalation (the same comment as the button posts) and, when the server has a Slack token,
 * the Slack DM to the Support Operations Managers; on the recipient's working time (the workflow's timers).
 * Exactly once across instances: a step goes through the same claims as a click. Pinging new findings stays
 * a person's decision: the policy has someone go through them first. Without Slack the DM is a person's.
 */
import {
  listAudits,
  listAutopilotPauses,
  listItems,
  setAuditAutopilot,
  setAutopilotPaused,
  type Audit,
} from "@/lib/db/queries";
import { chaseStepOf } from "@/lib/workflow/chase";
import { deriveStatus, recipientCalendar, recipientOf, type StepRecipient } from "@/lib/workflow/rules";
import type { ItemWorkflowFields, WorkflowSettings } from "@/lib/workflow/types";
import { AppError } from "@/lib/errors";
import type { AppContext } from "../context";
import { actOnDue, remindDue } from "../item-actions";
import { assertAuditOpen } from "../runs";
import { workflowOf } from "../workflow-settings";
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

/**
 * Pauses or resumes autopilot for one person of the audit (chased by hand, on leave…); the person's timeline
 * says who and when. Refused once the audit is signed off.
 */
export async function setPersonAutopilotPaused(
  ctx: AppContext,
  input: { auditId: string; personKey: string; paused: boolean; actor: string; actorKey?: string | null },
): Promise<{ paused: boolean }> {
  await setAutopilotPaused(ctx.db, {
    auditId: input.auditId,
    personKey: input.personKey,
    paused: input.paused,
    actor: input.actor,
    actorKey: input.actorKey ?? null,
    now: ctx.clock.now(),
  });
  return { paused: input.paused };
}

/** Whether autopilot is paused for the person. */
export async function isAutopilotPaused(
  ctx: AppContext,
  auditId: string,
  personKey: string,
): Promise<boolean> {
  return (await listAutopilotPauses(ctx.db, auditId)).has(personKey);
}

export interface ChaseAutopilotResult {
  /** Per audit name, the findings escalated by this tick. */
  escalated: Record<string, number>;
  /** Per audit name, the findings whose Slack DM this tick sent. */
  dms: Record<string, number>;
  /** Per audit name, the findings this tick reminded their person of (before the escalation). */
  reminded: Record<string, number>;
  /** Audits whose step could not be taken (logged); the next tick tries again. */
  failed: string[];
}

/** Takes the due steps of every open audit whose autopilot is on. Failures are logged, never thrown. */
export async function runChaseAutopilot(ctx: AppContext): Promise<ChaseAutopilotResult> {
  const result: ChaseAutopilotResult = { escalated: {}, dms: {}, reminded: {}, failed: [] };
  const config = await ctx.loadConfig().catch(() => null);
  const rungs = config?.autopilot?.reminders ?? [50];
  const slack = (ctx.createSlackClient?.() ?? null) !== null;
  for (const audit of await listAudits(ctx.db)) {
    // Without its issue nothing can be posted (nor was anyone pinged): nothing to take yet.
    if (!audit.autopilot || audit.status !== "open" || audit.issueUrl === null) continue;
    try {
      assertAuditOpen(audit);
      const except = await listAutopilotPauses(ctx.db, audit.id);
      const escalated = await actOnDue(ctx, {
        auditId: audit.id,
        action: "escalate",
        actor: AUTOPILOT_ACTOR,
        except,
      });
      if (escalated.applied > 0) result.escalated[audit.name] = escalated.applied;
      const reminded = await remindDue(ctx, { auditId: audit.id, rungs, actor: AUTOPILOT_ACTOR, except });
      if (reminded > 0) result.reminded[audit.name] = reminded;
      if (slack) {
        const dms = await actOnDue(ctx, {
          auditId: audit.id,
          action: "record_dm",
          actor: AUTOPILOT_ACTOR,
          except,
        });
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

/** A step autopilot will take: for whom, how many findings, and when (on the person's clock). */
export interface AutopilotStep {
  personKey: string;
  personName: string;
  action: "escalate" | "record_dm";
  findings: number;
  /** When it falls due; a past moment means at the next tick. */
  dueAt: string;
  /**
   * The zone of whom the step waits for (the manager's for an escalation, the organisation's for the DM),
   * to say when on their clock; with plain hours, the person's as the roster gives it, or null.
   */
  zone: string | null;
  /** Whose clock `zone` is. */
  recipient: StepRecipient;
}

/** The clock to say a step's moment on: its recipient's with working time, else the person's as given. */
function zoneOfStep(
  item: ItemWorkflowFields,
  action: AutopilotStep["action"],
  workflow: WorkflowSettings,
): Pick<AutopilotStep, "zone" | "recipient"> {
  if (!workflow.workingTime) return { zone: item.personTimezone ?? null, recipient: "person" };
  const recipient = recipientOf(chaseStepOf(action));
  return { zone: recipientCalendar(item, recipient, workflow.workingTime).zone, recipient };
}

/**
 * The next steps autopilot will take on the audit, soonest first, `limit` of them: each person's due
 * escalation, and their Slack DM when the server can send it. What the overview says autopilot does next.
 */
export async function nextAutopilotSteps(
  ctx: AppContext,
  auditId: string,
  limit = 3,
): Promise<AutopilotStep[]> {
  const now = ctx.clock.now();
  const workflow = await workflowOf(ctx);
  const slack = (ctx.createSlackClient?.() ?? null) !== null;
  const steps = new Map<string, AutopilotStep>();
  const paused = await listAutopilotPauses(ctx.db, auditId);
  for (const item of await listItems(ctx.db, auditId)) {
    if (item.personKey === null || paused.has(item.personKey)) continue;
    const { nextAction, dueAt } = deriveStatus(item, now, workflow);
    if (dueAt === null || !(nextAction === "escalate" || (nextAction === "record_dm" && slack))) continue;
    const key = `${item.personKey}|${nextAction}`;
    const step = steps.get(key);
    if (step) {
      step.findings += 1;
      if (dueAt < step.dueAt) step.dueAt = dueAt;
      continue;
    }
    steps.set(key, {
      personKey: item.personKey,
      personName: item.personName ?? item.personKey,
      action: nextAction,
      findings: 1,
      dueAt,
      ...zoneOfStep(item, nextAction, workflow),
    });
  }
  return [...steps.values()]
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.personName.localeCompare(b.personName, "en"))
    .slice(0, limit);
}
