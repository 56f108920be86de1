/**
 * Acting on people's audit items: one person's items (a chase step, a resolution, a reopening) or a chase
 * step for everyone at once. The workflow decides, the chase step is posted first where it is posted, and
 * storage records what was decided unless someone else changed the item meanwhile.
 */
import type { Audit, Item, ItemStateUpdate } from "@/lib/db/queries";
import { applyItemStates, getAuditById, listEvents, listItems } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import {
  CHASE_ACTIONS,
  chaseStepOf,
  isChaseAction,
  type BulkChaseAction,
  type ChaseAction,
  type PostedChaseAction,
} from "@/lib/workflow/chase";
import { applyUserAction, deriveStatus, dueReminder, isOverride } from "@/lib/workflow/rules";
import type { UserActionInput } from "@/lib/workflow/types";
import { dmPinged } from "./chase/ping-dm";
import { postChaseStep, postReminders, previewChaseStep } from "./chase/post";
import type { AppContext } from "./context";
import { assertAuditOpen } from "./runs";
import { workflowOf } from "./workflow-settings";

export interface ActionOutcome {
  applied: number;
  /** Items the action does not apply to, with the reason. */
  skipped: { itemId: string; reason: string }[];
  /** Items someone else changed meanwhile. */
  conflicts: number;
  /**
   * What a ping or escalation went on without, for the person acting (a roster username that is not a
   * GitLab user, written without a live mention). Empty when all went as asked.
   */
  warnings: string[];
}

/**
 * Applies one action to a person's items (ping, escalate, DM: every item it applies to; resolutions: the
 * chosen items). Refused as a whole (`conflict:item`) when it applies to none: with the workflow's reason,
 * or because someone else changed every item it applied to between reading and writing; `conflict:audit`
 * when the audit is signed off, also when that happened between reading and writing.
 */
export async function actOnItems(
  ctx: AppContext,
  input: {
    auditId: string;
    personKey: string;
    itemIds?: readonly string[];
    action: UserActionInput;
    actor: string;
    /** Person key of the signed-in person acting (`actor` is their display name). */
    actorKey?: string | null;
  },
): Promise<ActionOutcome> {
  const { audit, chosen } = await personItems(ctx, input);
  return applyToItems(ctx, audit, chosen, input.action, input, { refuseWhenNone: true });
}

/** The open audit and the person's items an action is about (all of them, or the `itemIds`). */
async function personItems(
  ctx: AppContext,
  input: { auditId: string; personKey: string; itemIds?: readonly string[] },
): Promise<{ audit: Audit; chosen: Item[] }> {
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const items = await listItems(ctx.db, input.auditId, { personKey: input.personKey });
  const chosen = input.itemIds ? items.filter((i) => input.itemIds?.includes(i.id)) : items;
  if (chosen.length === 0)
    throw new AppError("not_found:item", "No such items for this person in this audit.");
  return { audit, chosen };
}

export interface ChasePreview {
  /** The exact text of the comment the action would post now. */
  body: string;
  /** How many of the person's findings it is about. */
  findings: number;
  /** What posting would go on without (a username that is not a GitLab user, written inert). */
  warnings: string[];
}

/**
 * The comment a ping or an escalation of one person would post if sent now, with its note, as `actor`:
 * refused as the action would be (the workflow's reason, `conflict:audit_issue`, no GitLab), and posting
 * and recording nothing.
 */
export async function previewPersonChase(
  ctx: AppContext,
  input: {
    auditId: string;
    personKey: string;
    itemIds?: readonly string[];
    action: { type: PostedChaseAction; note?: string };
    actor: string;
  },
): Promise<ChasePreview> {
  const { audit, chosen } = await personItems(ctx, input);
  const now = ctx.clock.now();
  const workflow = await workflowOf(ctx);
  const decided = chosen.map((item) => ({
    item,
    result: applyUserAction(item, input.action, now, workflow),
  }));
  const applies = decided.filter((d) => d.result.ok).map((d) => d.item);
  if (applies.length === 0) {
    const refused = decided.find((d) => !d.result.ok)?.result;
    throw new AppError("conflict:item", refused && !refused.ok ? refused.reason : "Nothing to do.");
  }
  const preview = await previewChaseStep(ctx, audit, applies, input.action, input.actor);
  return { ...preview, findings: applies.length };
}

/**
 * Bulk actions across people: ping everyone with open items, or escalate everyone whose follow-up is due.
 * Items the action does not apply to are left alone.
 */
export async function bulkAct(
  ctx: AppContext,
  input: { auditId: string; action: BulkChaseAction; actor: string; actorKey?: string | null },
): Promise<ActionOutcome> {
  return actOnDue(ctx, input);
}

/**
 * A chase step for everyone whose next action it is (bulk buttons, autopilot): items it does not apply to
 * (not due yet, replied since) are skipped; nothing is refused as a whole.
 */
export async function actOnDue(
  ctx: AppContext,
  input: {
    auditId: string;
    action: ChaseAction;
    actor: string;
    actorKey?: string | null;
    /** People left alone (autopilot paused for them). */
    except?: ReadonlySet<string>;
  },
): Promise<ActionOutcome> {
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const now = ctx.clock.now();
  const workflow = await workflowOf(ctx);
  const items = (await listItems(ctx.db, input.auditId)).filter(
    (item) =>
      item.personKey !== null &&
      !input.except?.has(item.personKey) &&
      deriveStatus(item, now, workflow).nextAction === input.action,
  );
  return applyToItems(ctx, audit, items, { type: input.action }, input, { refuseWhenNone: false });
}

/**
 * Autopilot's reminders before the escalation: for each pinged finding whose person has not replied and whose
 * escalation is not due yet, the highest `rung` (a percentage of the follow-up time after the ping) that has
 * come and was not posted for this ping, one comment per rung for everyone at once. The findings keep their
 * state; each gets a `remind` event with the comment. How many findings were reminded.
 */
export async function remindDue(
  ctx: AppContext,
  input: { auditId: string; rungs: readonly number[]; actor: string; except?: ReadonlySet<string> },
): Promise<number> {
  if (input.rungs.length === 0) return 0;
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const now = ctx.clock.now();
  const workflow = await workflowOf(ctx);
  const reminded = new Map<string, { at: string; rung: unknown }[]>();
  for (const event of await listEvents(ctx.db, { auditId: audit.id, actions: ["remind"] })) {
    if (event.itemId === null) continue;
    reminded.set(event.itemId, [
      ...(reminded.get(event.itemId) ?? []),
      { at: event.at, rung: event.detail?.rung },
    ]);
  }
  const byRung = new Map<number, Item[]>();
  for (const item of await listItems(ctx.db, audit.id)) {
    if (item.personKey === null || input.except?.has(item.personKey)) continue;
    const done = (reminded.get(item.id) ?? []).flatMap((r) =>
      r.at >= item.stateChangedAt && typeof r.rung === "number" ? [r.rung] : [],
    );
    const rung = dueReminder(item, now, workflow, input.rungs, done);
    if (rung !== null) byRung.set(rung, [...(byRung.get(rung) ?? []), item]);
  }
  let count = 0;
  for (const [rung, items] of byRung) {
    const updates: ItemStateUpdate[] = items.map((item) => ({
      itemId: item.id,
      expectedState: item.state,
      expectedSince: { stateChangedAt: item.stateChangedAt, repliedAt: item.repliedAt },
      next: {
        state: item.state,
        stateChangedAt: item.stateChangedAt,
        waivedUntil: item.waivedUntil,
        repliedAt: item.repliedAt,
      },
      event: {
        actor: input.actor,
        actorKey: null,
        at: now,
        action: "remind",
        detail: { code: item.code, rung },
      },
    }));
    const step = await postReminders(ctx, audit, items, updates, rung);
    const { applied } = await applyItemStates(ctx.db, step.send).catch(async (error: unknown) => {
      await step.settle(false);
      throw error;
    });
    await step.settle(true);
    if (step.failure)
      throw new AppError("upstream:gitlab", "Posting a reminder on the audit issue failed.", {
        cause: step.failure,
      });
    count += applied.length;
  }
  return count;
}

async function applyToItems(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  action: UserActionInput,
  by: { actor: string; actorKey?: string | null },
  options: { refuseWhenNone: boolean },
): Promise<ActionOutcome> {
  const now = ctx.clock.now();
  const updates: ItemStateUpdate[] = [];
  const skipped: ActionOutcome["skipped"] = [];
  const workflow = await workflowOf(ctx);
  for (const item of items) {
    const result = applyUserAction(item, action, now, workflow);
    if (!result.ok) {
      skipped.push({ itemId: item.id, reason: result.reason });
      continue;
    }
    updates.push({
      itemId: item.id,
      expectedState: item.state,
      // The rules decided on the whole item, not only its state: a fresh waiver or a reply keeps the state.
      expectedSince: { stateChangedAt: item.stateChangedAt, repliedAt: item.repliedAt },
      next: {
        state: result.next.state,
        stateChangedAt: result.next.stateChangedAt,
        waivedUntil: result.next.waivedUntil,
        repliedAt: result.next.repliedAt,
        ...(result.justification !== null ? { justification: result.justification } : {}),
      },
      event: {
        actor: by.actor,
        actorKey: by.actorKey ?? null,
        at: now,
        action: action.type,
        detail: {
          code: item.code,
          ...(result.justification !== null ? { justification: result.justification } : {}),
          ...(action.type === "waive" ? { until: action.until } : {}),
          // A personal note quoted in the ping's or escalation's comment.
          ...("note" in action && action.note?.trim() ? { note: action.note.trim() } : {}),
          // The Support Operations Manager resolved their own finding: kept with the event, shown in history.
          ...(isOverride(action) ? { override: true } : {}),
        },
      },
    });
  }
  if (updates.length === 0 && options.refuseWhenNone) {
    throw new AppError("conflict:item", skipped[0]?.reason ?? "Nothing to do.");
  }
  const step = await postChaseStep(ctx, audit, items, updates, action);
  const { send, failure, warnings } = step;
  const { applied, conflicts } = await applyItemStates(ctx.db, send).catch(async (error: unknown) => {
    await step.settle(false);
    throw error;
  });
  await step.settle(true);
  skipped.push(...step.skipped);
  if (action.type === CHASE_ACTIONS[0] && applied.length > 0) {
    // With `slack.dm_on_ping`, each person pinged also gets a DM pointing at the ping; a warning if not.
    const urlOf = new Map(send.map((u) => [u.itemId, u.event.detail?.commentUrl]));
    const byPerson = new Map<string, { personKey: string; items: Item[]; commentUrl: string }>();
    for (const item of applied) {
      const url = urlOf.get(item.id);
      if (item.personKey === null || typeof url !== "string") continue;
      const entry = byPerson.get(item.personKey) ?? { personKey: item.personKey, items: [], commentUrl: url };
      entry.items.push(item);
      byPerson.set(item.personKey, entry);
    }
    warnings.push(...(await dmPinged(ctx, audit, [...byPerson.values()])));
  }
  if (failure) {
    const marked = isChaseAction(action.type) ? chaseStepOf(action.type).to : action.type;
    const notSent = updates.length - send.length - step.skipped.length;
    const slack = action.type === "record_dm";
    throw new AppError(
      slack ? "upstream:slack" : "upstream:gitlab",
      `${slack ? "Sending the Slack DM" : "Posting on the audit issue"} failed, so ${notSent} finding(s) were not marked as ` +
        `${marked}${send.length > 0 ? ` (${send.length} were)` : ""}. ` +
        (step.unsure > 0
          ? `${slack ? "Slack's answer to the message" : "GitLab's answer to the comment"} for ${step.unsure} of them was lost, so it may be there: it is ` +
            "looked for before anyone posts for them again, which can be done in a few minutes."
          : "Try again in a moment."),
      { cause: failure },
    );
  }
  if (options.refuseWhenNone && applied.length === 0 && conflicts.length === 0 && step.skipped.length > 0) {
    // The only people the action was for are being chased by someone else at this moment.
    throw new AppError("conflict:item", step.skipped[0]?.reason ?? "Someone else acted first.");
  }
  if (options.refuseWhenNone && applied.length === 0 && conflicts.length > 0) {
    // Another person's action won the race for every item: nothing was done, so say so, as the same click a
    // moment later would (with the workflow's reason) — not "done: 0 findings".
    const current = conflicts[0]?.currentState;
    throw new AppError(
      "conflict:item",
      `Someone else acted first: the finding changed meanwhile${current ? ` (now ${current})` : ""}. ` +
        "Reload to see what was done.",
    );
  }
  return { applied: applied.length, skipped, conflicts: conflicts.length, warnings };
}
