/**
 * The audit process rules: which action may move an item from which state, the follow-up and DM timers,
 * and what a re-run of the audit does to existing items. Pure: the clock (`now`) is always passed in, and
 * every refusal is a sentence safe to show to the person who clicked.
 */
import type {
  ItemState,
  ItemStatus,
  ItemWorkflowFields,
  SystemAction,
  SystemActionResult,
  UserAction,
  UserActionInput,
  UserActionResult,
  WorkflowSettings,
} from "./types";
import {
  ITEM_STATUSES,
  JUSTIFICATION_BOUNDS,
  JUSTIFICATION_MAX_LENGTH,
  JUSTIFICATION_MIN_LENGTH,
  UNRESOLVED_STATES,
} from "./types";
import { writtenTextProblem } from "./visible-text";
import { isColleagueFinding } from "./owners";
import {
  addCountedHours,
  calendarOf,
  dueMoment,
  nextWorkingMoment,
  type WorkCalendar,
  type WorkingTimeSettings,
} from "./working-time";
import {
  type ChaseAudience,
  CHASE_ACTIONS,
  CHASE_STEPS,
  CHASE_TIMERS,
  chaseIndexOf,
  chaseStepOf,
  chaseStepReaching,
  isChaseAction,
  isChaseState,
  type ChaseAction,
} from "./chase";

/** The action a person should take next on an item: a chase step; all but the first wait for their timer. */
export type NextAction = ChaseAction;

export interface DerivedStatus {
  status: ItemStatus;
  nextAction: NextAction | null;
  /** When the timed next action becomes due (ISO 8601 UTC); null for `ping` (due at once) and no action. */
  dueAt: string | null;
  /** The timed next action is due: `now` ≥ `dueAt`. */
  overdue: boolean;
}

export interface PersonSummary {
  /** The least advanced status among the person's unaddressed items; null when all are addressed. */
  status: ItemStatus | null;
  /** The next action due first over all the person's items (a ping counts as due now). */
  nextAction: NextAction | null;
  dueAt: string | null;
  /** Some item's timed action is due. */
  overdue: boolean;
  /** How many items are in each status (every status present, zero included). */
  counts: Record<ItemStatus, number>;
}

/** One change a re-run makes, ready for storage to write. */
export interface RunTransition {
  key: string;
  action: SystemAction;
  from: ItemState | null;
  to: ItemState;
  next: ItemWorkflowFields;
}

export interface RunReconciliation {
  /** Keys found for the first time (`detected`). */
  created: string[];
  /** Keys of fixed items found again (`recurred`). */
  recurred: string[];
  /** Keys of unfixed items the run no longer found (`fixed_by_rerun`); always empty for an incomplete run. */
  fixed: string[];
  /** Keys whose item keeps its state (found again, already fixed, or not judged by an incomplete run). */
  unchanged: string[];
  /** The changes for `created`, `recurred` and `fixed`, in that order. */
  transitions: RunTransition[];
}

const HOUR_MS = 60 * 60 * 1000;
const ISO_DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Statuses that still need someone to act, least advanced first: each chase state, then its next step due. */
const UNADDRESSED_STATUS_ORDER: readonly ItemStatus[] = [
  "open",
  "waiver_expired",
  ...CHASE_STEPS.flatMap((step, i): ItemStatus[] => {
    const due = CHASE_STEPS[i + 1]?.dueStatus;
    return due ? [step.to, due] : [step.to];
  }),
];

/** How an item looks to the rules: its stored state, or `waiver_expired` for a waiver whose end has come. */
type RuleState = ItemState | "waiver_expired";

/**
 * Whether the item is waived and the waiver no longer holds at `now`: `now` is on or after `waivedUntil`
 * (a date means 00:00 UTC of that day). A waiver with no end date counts as expired, so it can never
 * hide an item for good.
 */
export function isWaiverExpired(item: ItemWorkflowFields, now: Date): boolean {
  if (item.state !== "waived") return false;
  if (item.waivedUntil === null) return true;
  return now.getTime() >= parseStoredTime(item.waivedUntil, "waivedUntil");
}

/** Whether the item needs nothing more for sign-off at `now`: fixed, intentional, or waived and not expired. */
export function isAddressed(item: ItemWorkflowFields, now: Date): boolean {
  return (
    item.state === "fixed" ||
    item.state === "intentional" ||
    (item.state === "waived" && !isWaiverExpired(item, now))
  );
}

/** Whether the audit can be signed off at `now`: every item addressed. An audit with no items can be. */
export function canSignOff(
  items: readonly ItemWorkflowFields[],
  now: Date,
): { ok: true } | { ok: false; unaddressed: number } {
  const unaddressed = items.filter((item) => !isAddressed(item, now)).length;
  return unaddressed === 0 ? { ok: true } : { ok: false, unaddressed };
}

/**
 * What a person sees for an item at `now` and what to do next. Pinged: escalate `followUpHours` after the
 * ping (status `follow_up_due` from then on, inclusive); escalated: record the DM `dmHours` after the
 * escalation (`dm_due`). A reply from the person at or after the state change stops that clock: the
 * status stays `pinged`/`escalated` with no next action. Open and expired waivers: ping, due at once.
 * Throws a RangeError for settings that are not finite non-negative hours or a stored time that is not a date.
 */
export function deriveStatus(item: ItemWorkflowFields, now: Date, settings: WorkflowSettings): DerivedStatus {
  assertSettings(settings);
  const state = ruleStateOf(item, now);
  // The schedule's owner fixes it in PagerDuty: nobody to chase, so no next step and no clock.
  if (!isChased(item)) return { status: state, nextAction: null, dueAt: null, overdue: false };
  if (state === "open" || state === "waiver_expired") {
    return { status: state, nextAction: CHASE_ACTIONS[0], dueAt: null, overdue: false };
  }
  const reached = chaseStepReaching(state);
  const next = reached ? CHASE_STEPS[chaseIndexOf(reached.action) + 1] : undefined;
  if (!reached || !next) return { status: state, nextAction: null, dueAt: null, overdue: false };
  return timedStatus(
    item,
    now,
    next.dueAfter === null ? 0 : settings[next.dueAfter],
    reached.to,
    next,
    settings,
  );
}

/**
 * The first moment after `now` at which time alone changes what the rules say of the item (`deriveStatus`,
 * `isAddressed`): its timed next step falling due, or its waiver ending; null when only a change to the item
 * itself can. Over [`now`, that moment) every answer about the item is the one at `now`, so a read model
 * derived at `now` holds until then. Throws what `deriveStatus` throws.
 */
export function nextStatusChangeAt(
  item: ItemWorkflowFields,
  now: Date,
  settings: WorkflowSettings,
): Date | null {
  const moments: number[] = [];
  if (item.state === "waived" && item.waivedUntil !== null) {
    moments.push(parseStoredTime(item.waivedUntil, "waivedUntil"));
  }
  const { dueAt } = deriveStatus(item, now, settings);
  if (dueAt !== null) moments.push(Date.parse(dueAt));
  const future = moments.filter((moment) => moment > now.getTime());
  return future.length === 0 ? null : new Date(Math.min(...future));
}

/**
 * Applies a person's action to an item at `now`, or says why it is refused. Allowed: the chase's steps in
 * their order (chase.ts): the first (ping) on an open item, an expired waiver, or a chased item whose person
 * replied since its last step (the re-ping restarts the follow-up clock), each later one on the state
 * the step before it moved to, once its timer is due and the person has not replied since (so: pinged →
 * escalated after the follow-up time, escalated → dm_sent after the DM time); mark_intentional and waive
 * (open, pinged, escalated, dm_sent or expired waiver), reopen (fixed, intentional, waived → open).
 * Justifications are trimmed and need 10 characters a reader sees (zero-width characters and repeated
 * blanks do not count) and at most 2000 stored; a waiver ends on a `YYYY-MM-DD` day after today (UTC) and
 * at most `settings.maxWaiverMonths` calendar months ahead (the same day of the month, or the month's last
 * day when it has no such day). `next.stateChangedAt` is `now`; `waivedUntil` is kept only by waive; a
 * ping clears `repliedAt`. Throws a RangeError for settings `assertSettings` refuses.
 */
export function applyUserAction(
  item: ItemWorkflowFields,
  action: UserActionInput,
  now: Date,
  settings: WorkflowSettings,
): UserActionResult {
  assertSettings(settings);
  const ruleState = ruleStateOf(item, now);
  if (isChaseStepInput(action) && !isChased(item)) {
    return {
      ok: false,
      reason:
        `Cannot ${ACTION_PHRASES[action.type]("this finding")}: it is fixed in PagerDuty by the ` +
        "schedule's owner, not chased; the next run confirms the fix.",
    };
  }
  if (isChaseStepInput(action)) return applyChaseStep(item, action.type, ruleState, now, settings);
  switch (action.type) {
    case "mark_intentional": {
      if (!isUnresolvedRuleState(ruleState)) return refuse(action.type, item, ruleState);
      const justification = checkJustification(action.justification);
      if (!justification.ok) return justification;
      return allow(item, moved(item, "intentional", now), justification.text);
    }

    case "waive": {
      if (!isUnresolvedRuleState(ruleState)) return refuse(action.type, item, ruleState);
      const until = checkWaiverEnd(action.until, now, settings.maxWaiverMonths);
      if (!until.ok) return until;
      const justification = checkJustification(action.justification);
      if (!justification.ok) return justification;
      return allow(item, { ...moved(item, "waived", now), waivedUntil: until.day }, justification.text);
    }

    case "reopen":
      if (item.state !== "fixed" && item.state !== "intentional" && item.state !== "waived") {
        return refuse(action.type, item, ruleState);
      }
      return allow(item, moved(item, "open", now), null);
  }
}

/** Whether a chase applies to the item: its finding is a colleague's to fix (an item with no code is). */
function isChased(item: ItemWorkflowFields): boolean {
  return item.code === undefined || isColleagueFinding(item.code);
}

function isChaseStepInput(action: UserActionInput): action is { type: ChaseAction } {
  return isChaseAction(action.type);
}

/**
 * A chase step (chase.ts): the first from an open item or an expired waiver, each later one from the state
 * the step before it moved to, once its timer is due and the person has not replied since.
 */
function applyChaseStep(
  item: ItemWorkflowFields,
  action: ChaseAction,
  ruleState: RuleState,
  now: Date,
  settings: WorkflowSettings,
): UserActionResult {
  const step = chaseStepOf(action);
  const previous = CHASE_STEPS[chaseIndexOf(step.action) - 1];
  if (!previous) {
    // The first step: any unresolved item not yet chased, or one whose person replied since the last step
    // (their reply stopped the clock; pinging again restarts it). A fresh chase forgets the old reply.
    const mayStart =
      ruleState === "open" ||
      ruleState === "waiver_expired" ||
      (isChaseState(ruleState) && repliedSince(item));
    if (!mayStart) return refuse(action, item, ruleState);
    return allow(item, { ...moved(item, step.to, now), repliedAt: null }, null);
  }
  if (ruleState !== previous.to) return refuse(action, item, ruleState);
  const derived = deriveStatus(item, now, settings);
  if (derived.nextAction === null && item.repliedAt !== null) {
    return {
      ok: false,
      reason: `The person replied on ${formatTime(item.repliedAt)}; follow up with them instead.`,
    };
  }
  if (!derived.overdue && derived.dueAt !== null) {
    const hours = Math.ceil((Date.parse(derived.dueAt) - now.getTime()) / HOUR_MS);
    return {
      ok: false,
      reason: `${step.dueName ?? step.label} is due at ${formatTime(derived.dueAt)} (in ${hours} h).`,
    };
  }
  return allow(item, moved(item, step.to, now), null);
}

/**
 * Whether the action is a resolution the Support Operations Manager makes on their own finding: marking
 * intentional or waiving with `override: true`. The rules treat it as any resolution; who may send it is
 * roles.ts's (`item:resolve_own`), and storage keeps the flag with the event.
 */
export function isOverride(action: UserActionInput): boolean {
  return (action.type === "mark_intentional" || action.type === "waive") && action.override === true;
}

/**
 * Applies what a re-run of the audit saw to an item (`null`: not tracked yet) at `now`. `detected`: a new
 * finding → open; `recurred`: a fixed item found again → open; `fixed_by_rerun`: any item not already fixed
 * that the run no longer finds → fixed (intentional and waived included); `still_present`: an item that is
 * not fixed keeps its state and its `stateChangedAt` (so timers keep running). Anything else is refused.
 */
export function applySystemAction(
  item: ItemWorkflowFields | null,
  action: SystemAction,
  now: Date,
): SystemActionResult {
  if (item === null) {
    if (action !== "detected") {
      return {
        ok: false,
        reason: `Cannot apply ${action} to a finding that is not tracked yet: detect it first.`,
      };
    }
    const next: ItemWorkflowFields = {
      state: "open",
      stateChangedAt: now.toISOString(),
      waivedUntil: null,
      repliedAt: null,
    };
    return { ok: true, next, from: null, to: "open" };
  }
  switch (action) {
    case "detected":
      return {
        ok: false,
        reason: `Cannot detect an item that is already tracked (${item.state}): a re-run reports it as still present or recurred.`,
      };
    case "recurred":
      if (item.state !== "fixed") {
        return {
          ok: false,
          reason: `Cannot record a recurrence of an item that is ${item.state}: only a fixed item recurs.`,
        };
      }
      return systemMove(item, "open", now);
    case "fixed_by_rerun":
      if (item.state === "fixed") {
        return { ok: false, reason: "Cannot mark an item fixed by a re-run: it is already fixed." };
      }
      return systemMove(item, "fixed", now);
    case "still_present":
      if (item.state === "fixed") {
        return {
          ok: false,
          reason: "Cannot keep a fixed item as still present: a fixed item found again has recurred.",
        };
      }
      return { ok: true, next: { ...item }, from: item.state, to: item.state };
  }
}

/**
 * What a re-run means for the audit's items: `foundKeys` are the finding keys the run reported (duplicates
 * ignored). New keys are created, fixed items found again recur, and — only when the run was `complete` —
 * items not found are fixed. An incomplete run never fixes anything: a fetch that failed is not a fix.
 * Throws a RangeError when `existing` holds a key twice.
 */
export function reconcileRun(
  existing: readonly { key: string; fields: ItemWorkflowFields }[],
  foundKeys: readonly string[],
  now: Date,
  complete: boolean,
): RunReconciliation {
  const found = new Set(foundKeys);
  const known = new Map<string, ItemWorkflowFields>();
  for (const { key, fields } of existing) {
    if (known.has(key)) throw new RangeError(`reconcileRun: item key ${key} is listed twice`);
    known.set(key, fields);
  }

  const result: RunReconciliation = { created: [], recurred: [], fixed: [], unchanged: [], transitions: [] };
  const recurred: RunTransition[] = [];
  const fixed: RunTransition[] = [];
  const record = (
    key: string,
    item: ItemWorkflowFields | null,
    action: SystemAction,
    into: RunTransition[],
  ) => {
    const outcome = applySystemAction(item, action, now);
    if (!outcome.ok) throw new Error(`reconcileRun: ${outcome.reason}`);
    into.push({ key, action, from: outcome.from, to: outcome.to, next: outcome.next });
  };

  for (const key of found) {
    if (!known.has(key)) {
      result.created.push(key);
      record(key, null, "detected", result.transitions);
    }
  }
  for (const [key, fields] of known) {
    if (found.has(key) && fields.state === "fixed") {
      result.recurred.push(key);
      record(key, fields, "recurred", recurred);
    } else if (!found.has(key) && fields.state !== "fixed" && complete) {
      result.fixed.push(key);
      record(key, fields, "fixed_by_rerun", fixed);
    } else {
      result.unchanged.push(key);
    }
  }
  result.transitions.push(...recurred, ...fixed);
  return result;
}

/**
 * The person-level row of the findings table at `now`: the least advanced status among their unaddressed
 * items (open first, then expired waiver, pinged, follow-up due, escalated, DM due, DM sent; null when all
 * are addressed), the next action due first (a ping is due now, so only an overdue timer comes before it;
 * ties go to the overdue one, then the chase's order: ping before escalate before the DM), and counts by
 * status.
 */
export function summarizePerson(
  items: readonly ItemWorkflowFields[],
  now: Date,
  settings: WorkflowSettings,
): PersonSummary {
  const counts = Object.fromEntries(ITEM_STATUSES.map((status) => [status, 0])) as Record<ItemStatus, number>;
  let status: ItemStatus | null = null;
  let first: DerivedStatus | null = null;
  for (const item of items) {
    const derived = deriveStatus(item, now, settings);
    counts[derived.status] += 1;
    const rank = UNADDRESSED_STATUS_ORDER.indexOf(derived.status);
    if (rank !== -1 && (status === null || rank < UNADDRESSED_STATUS_ORDER.indexOf(status))) {
      status = derived.status;
    }
    if (derived.nextAction !== null && (first === null || comesFirst(derived, first, now))) first = derived;
  }
  return {
    status,
    nextAction: first?.nextAction ?? null,
    dueAt: first?.dueAt ?? null,
    overdue: first?.overdue ?? false,
    counts,
  };
}

function comesFirst(a: DerivedStatus, b: DerivedStatus, now: Date): boolean {
  const dueA = a.dueAt === null ? now.getTime() : Date.parse(a.dueAt);
  const dueB = b.dueAt === null ? now.getTime() : Date.parse(b.dueAt);
  if (dueA !== dueB) return dueA < dueB;
  if (a.overdue !== b.overdue) return a.overdue;
  return chaseIndexOf(a.nextAction ?? CHASE_ACTIONS[0]) < chaseIndexOf(b.nextAction ?? CHASE_ACTIONS[0]);
}

function ruleStateOf(item: ItemWorkflowFields, now: Date): RuleState {
  return isWaiverExpired(item, now) ? "waiver_expired" : item.state;
}

function isUnresolvedRuleState(state: RuleState): boolean {
  return state === "waiver_expired" || UNRESOLVED_STATES.includes(state);
}

/** Whether the person replied at or after the item entered its state (which stops its clock). */
function repliedSince(item: ItemWorkflowFields): boolean {
  return (
    item.repliedAt !== null &&
    parseStoredTime(item.repliedAt, "repliedAt") >= parseStoredTime(item.stateChangedAt, "stateChangedAt")
  );
}

/**
 * Whose working day a step waits for: the one person or group that must act on what it says. A step that
 * mentions the manager (the escalation) is for them: the person was asked already. One that mentions the
 * person (the ping) is theirs; one only the Support Operations Managers receive (the DM) the organisation's.
 */
export type StepRecipient = "person" | "manager" | "organisation";

export function recipientOf(step: { mentions: readonly ChaseAudience[] }): StepRecipient {
  if (step.mentions.includes("manager")) return "manager";
  return step.mentions.includes("person") ? "person" : "organisation";
}

/**
 * The working calendar of a step's recipient: the person's zone and region; the manager's, as the run
 * stored them; the organisation's (`defaultZone`, the holidays of everyone) for the Support Operations
 * Managers and for a manager the roster does not hold.
 */
export function recipientCalendar(
  item: ItemWorkflowFields,
  recipient: StepRecipient,
  workingTime: WorkingTimeSettings,
): WorkCalendar & { zoneFallback: boolean } {
  if (recipient === "person")
    return calendarOf({ timezone: item.personTimezone, region: item.region }, workingTime);
  if (recipient === "manager") {
    return calendarOf({ timezone: item.managerTimezone, region: item.managerRegion }, workingTime);
  }
  return calendarOf({ timezone: null, region: null }, workingTime);
}

/**
 * `hours` after the item entered its state: on the person's working time when the settings have one (the
 * hours of their working days: it is their clock that runs), taken at the start of the recipient's working
 * day (`recipientCalendar`); else plain hours. Reminders are timed by it too.
 */
export function dueAfter(
  item: ItemWorkflowFields,
  hours: number,
  settings: WorkflowSettings,
  recipient: StepRecipient = "person",
): Date {
  const since = parseStoredTime(item.stateChangedAt, "stateChangedAt");
  if (!settings.workingTime) return new Date(since + hours * HOUR_MS);
  const person = recipientCalendar(item, "person", settings.workingTime);
  if (recipient === "person") return dueMoment(new Date(since), hours, person);
  const theirs = recipientCalendar(item, recipient, settings.workingTime);
  return nextWorkingMoment(addCountedHours(new Date(since), hours, person), theirs);
}

/**
 * The reminder due for a pinged item at `now`, as a rung (a percentage of the follow-up time after the
 * ping), or null: the highest rung that has come, unless one as high was already posted for this ping
 * (`done`); none once the person replied or the escalation is due (that step comes instead).
 */
export function dueReminder(
  item: ItemWorkflowFields,
  now: Date,
  settings: WorkflowSettings,
  rungs: readonly number[],
  done: readonly number[],
): number | null {
  if (item.state !== "pinged") return null;
  const status = deriveStatus(item, now, settings);
  if (status.nextAction === null || status.overdue) return null;
  const rung = [...rungs]
    .sort((a, b) => b - a)
    .find((r) => dueAfter(item, (settings.followUpHours * r) / 100, settings) <= now);
  if (rung === undefined || done.some((r) => r >= rung)) return null;
  return rung;
}

/**
 * The item waits in `waiting` for `next`, due `hours` after it got there (counted on the person's working
 * time when the settings have one) unless the person replied since.
 */
function timedStatus(
  item: ItemWorkflowFields,
  now: Date,
  hours: number,
  waiting: ItemState,
  next: (typeof CHASE_STEPS)[number],
  settings: WorkflowSettings,
): DerivedStatus {
  if (repliedSince(item)) return { status: waiting, nextAction: null, dueAt: null, overdue: false };
  const dueAt = dueAfter(item, hours, settings, recipientOf(next)).getTime();
  const overdue = now.getTime() >= dueAt;
  return {
    status: overdue ? (next.dueStatus ?? waiting) : waiting,
    nextAction: next.action,
    dueAt: new Date(dueAt).toISOString(),
    overdue,
  };
}

function moved(item: ItemWorkflowFields, state: ItemState, now: Date): ItemWorkflowFields {
  return { ...item, state, stateChangedAt: now.toISOString(), waivedUntil: null };
}

function allow(
  item: ItemWorkflowFields,
  next: ItemWorkflowFields,
  justification: string | null,
): UserActionResult {
  return { ok: true, next, from: item.state, to: next.state, justification };
}

function systemMove(item: ItemWorkflowFields, state: ItemState, now: Date): SystemActionResult {
  const next = moved(item, state, now);
  return { ok: true, next, from: item.state, to: state };
}

const ACTION_PHRASES: Record<UserAction, (subject: string) => string> = {
  ...(Object.fromEntries(CHASE_STEPS.map((step) => [step.action, step.attempt])) as Record<
    ChaseAction,
    (subject: string) => string
  >),
  mark_intentional: (subject) => `mark ${subject} as intentional`,
  waive: (subject) => `waive ${subject}`,
  reopen: (subject) => `reopen ${subject}`,
};

function describeItem(item: ItemWorkflowFields, state: RuleState): string {
  if (isChaseState(state)) return chaseStepReaching(state)?.stateDescription ?? `an item that is ${state}`;
  switch (state) {
    case "open":
    case "fixed":
      return `an item that is ${state}`;
    case "intentional":
      return "an item that is marked intentional";
    case "waived":
      return `an item that is waived until ${item.waivedUntil ?? "further notice"}`;
    case "waiver_expired":
      return item.waivedUntil === null
        ? "an item whose waiver has no end date"
        : `an item whose waiver ended on ${item.waivedUntil}`;
  }
}

/** What to do instead, for an action the state does not allow. */
function hintFor(action: UserAction, state: RuleState): string {
  if (action === "reopen") return "only a fixed, intentional or waived item can be reopened.";
  if (action === "mark_intentional" && state === "intentional") return "it already is.";
  if (state === "fixed" || state === "intentional" || state === "waived") {
    return action === CHASE_ACTIONS[0] || action === "mark_intentional" || action === "waive"
      ? "reopen it first."
      : "it needs no follow-up.";
  }
  // A chase step refused on an unresolved item: a step before it is missing, or it (or a later one) is done.
  const wanted = isChaseAction(action) ? chaseIndexOf(action) : 0;
  const reachedStep = chaseStepReaching(state);
  const reached = reachedStep ? chaseIndexOf(reachedStep.action) : -1;
  const last = CHASE_STEPS[reached];
  if (reached < wanted - 1 || !last) return CHASE_STEPS[reached + 1]?.first ?? "";
  const next = CHASE_STEPS[reached + 1];
  if (next) return `${last.done}; ${next.whenDue}.`;
  return wanted === 0
    ? "the chase is complete; mark it intentional, waive it, or let the next run find it fixed."
    : `${last.done}.`;
}

function refuse(
  action: UserAction,
  item: ItemWorkflowFields,
  state: RuleState,
): { ok: false; reason: string } {
  const sentence = ACTION_PHRASES[action](describeItem(item, state));
  return { ok: false, reason: `Cannot ${sentence}: ${hintFor(action, state)}` };
}

function checkJustification(raw: string): { ok: true; text: string } | { ok: false; reason: string } {
  const problem = writtenTextProblem(raw, JUSTIFICATION_BOUNDS);
  switch (problem?.problem) {
    case undefined:
      return { ok: true, text: raw.trim() };
    case "missing":
      return {
        ok: false,
        reason: `A justification is required (at least ${JUSTIFICATION_MIN_LENGTH} characters).`,
      };
    case "too_short":
      return {
        ok: false,
        reason: `The justification is too short (${problem.length} characters); write at least ${JUSTIFICATION_MIN_LENGTH}.`,
      };
    case "too_long":
      return {
        ok: false,
        reason: `The justification is too long (${problem.length} characters); keep it to ${JUSTIFICATION_MAX_LENGTH}.`,
      };
  }
}

function checkWaiverEnd(
  raw: string,
  now: Date,
  maxMonths: number,
): { ok: true; day: string } | { ok: false; reason: string } {
  const day = raw.trim();
  const match = ISO_DAY_PATTERN.exec(day);
  const time = match === null ? NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    return { ok: false, reason: `The waiver end must be a calendar date like 2027-01-31, not "${raw}".` };
  }
  const today = now.toISOString().slice(0, 10);
  if (day <= today) {
    return { ok: false, reason: `The waiver must end after today (${today}); ${day} is not.` };
  }
  const last = lastWaiverDay(now, maxMonths);
  if (day > last) {
    return {
      ok: false,
      reason: `A waiver may end at most ${maxMonths} month${maxMonths === 1 ? "" : "s"} ahead, on ${last} at the latest; ${day} is later.`,
    };
  }
  return { ok: true, day };
}

/**
 * The last day a waiver given at `now` may end on (`YYYY-MM-DD`): `months` calendar months after today
 * (UTC), on the same day of the month or on the month's last day when it is shorter (31 January + 1 →
 * 28 or 29 February).
 */
export function lastWaiverDay(now: Date, months: number): string {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + months;
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(now.getUTCDate(), lastOfMonth))).toISOString().slice(0, 10);
}

function assertSettings(settings: WorkflowSettings): void {
  if (!Number.isInteger(settings.maxWaiverMonths) || settings.maxWaiverMonths < 1) {
    throw new RangeError(
      `Workflow setting maxWaiverMonths must be a whole number of months ≥ 1, not ${String(settings.maxWaiverMonths)}`,
    );
  }
  for (const name of CHASE_TIMERS) {
    const hours = settings[name];
    if (!Number.isFinite(hours) || hours < 0) {
      throw new RangeError(
        `Workflow setting ${name} must be a finite number of hours ≥ 0, not ${String(hours)}`,
      );
    }
  }
}

function parseStoredTime(value: string, field: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`Stored ${field} is not a date: ${value}`);
  return time;
}

/** `2026-11-27 09:00 UTC` */
function formatTime(iso: string): string {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
