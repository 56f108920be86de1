/**
 * The chase as data: the steps Support Operations take, in order, to get a finding fixed (ping the person,
 * escalate to their manager and the Support Operations Managers, DM the Support Operations Manager), and
 * for each what it needs, whom it mentions, when it is due, how it is named and who may take it. The
 * action union, the labels, the permissions and the API schemas derive from this list: a new step is one
 * entry here (and its wording where it is shown). Pure: no IO.
 */

/** Who a step's message is for. */
export type ChaseAudience = "person" | "manager" | "ops_managers";

/** How a step reaches people. */
export type ChaseDelivery =
  /** A comment on the audit's GitLab issue (refused until the audit has one); replies are read there. */
  | "audit_issue"
  /** Sent outside the app by hand (a Slack DM) and recorded with a click. */
  | "by_hand";

/** Hours of the workflow settings a timer reads. */
export type ChaseTimer = "followUpHours" | "dmHours";

export interface ChaseStep<Action extends string = string> {
  /** The user action, the event's `action` and the API's `type`. */
  action: Action;
  /** The item state the step moves to. The step needs the state the step before it moved to. */
  to: "pinged" | "escalated" | "dm_sent";
  /**
   * When the step is due, counted from the step before it: null for the first (due at once), else the
   * setting holding the hours (the 72-hour timers). While it waits the item shows `waitingStatus` (the
   * previous step's state), once due `dueStatus`.
   */
  dueAfter: ChaseTimer | null;
  dueStatus: "follow_up_due" | "dm_due" | null;
  /** Whom the step's message mentions. */
  mentions: readonly ChaseAudience[];
  delivery: ChaseDelivery;
  /** Whether Support Operations may take it for everyone at once (the findings page's bulk buttons). */
  bulk: boolean;
  /** The permission it needs (roles.ts decides who holds it). */
  permission: `item:${Action}`;
  /** Button and "next action" label. */
  label: string;
  /** What a permission refusal says may not be done ("You may not …"). */
  permissionLabel: string;
  /** The history line once done. */
  historyLabel: string;
  /** What a count of the step's events is called: its field in the sign-off review's API, and its column. */
  countKey: string;
  countLabel: string;
  /** How a refusal describes an item in the step's state (`an item that is pinged`). */
  stateDescription: string;
  /** Refusal wording: what the click tried, with the item's description (`ping the person about …`). */
  attempt: (subject: string) => string;
  /** Refusal hint when this step has to come first (`ping the person first.`). */
  first: string;
  /** Refusal hint when this step was the last one taken (`the person has already been pinged`). */
  done: string;
  /** What to do next once this step is due (`escalate when the follow-up is due`). */
  whenDue: string;
  /** The name of its timer in "… is due at" (`Follow-up`); null for a step due at once. */
  dueName: string | null;
}

/** The chase, in order. Each step needs the one before it; the first needs an unresolved item. */
export const CHASE_STEPS = [
  {
    action: "ping",
    to: "pinged",
    dueAfter: null,
    dueStatus: null,
    mentions: ["person"],
    delivery: "audit_issue",
    bulk: true,
    permission: "item:ping",
    label: "Ping",
    permissionLabel: "ping about this item",
    historyLabel: "Pinged",
    countKey: "pings",
    countLabel: "Pings",
    stateDescription: "an item that is pinged",
    attempt: (subject) => `ping the person about ${subject}`,
    first: "ping the person first.",
    done: "the person has already been pinged",
    whenDue: "ping them",
    dueName: null,
  },
  {
    action: "escalate",
    to: "escalated",
    dueAfter: "followUpHours",
    dueStatus: "follow_up_due",
    mentions: ["person", "manager", "ops_managers"],
    delivery: "audit_issue",
    bulk: true,
    permission: "item:escalate",
    label: "Escalate",
    permissionLabel: "escalate this item",
    historyLabel: "Escalated to their manager and the Support Ops Manager",
    countKey: "escalations",
    countLabel: "Escalations",
    stateDescription: "an item that is escalated",
    attempt: (subject) => `escalate ${subject}`,
    first: "escalate it first.",
    done: "it has already been escalated",
    whenDue: "escalate when the follow-up is due",
    dueName: "Follow-up",
  },
  {
    action: "record_dm",
    to: "dm_sent",
    dueAfter: "dmHours",
    dueStatus: "dm_due",
    mentions: ["ops_managers"],
    delivery: "by_hand",
    bulk: false,
    permission: "item:record_dm",
    label: "Record Slack DM",
    permissionLabel: "record a DM for this item",
    historyLabel: "Slack DM sent to the Support Ops Manager",
    countKey: "dms",
    countLabel: "Slack DMs",
    stateDescription: "an item whose Slack DM was already sent",
    attempt: (subject) => `record a Slack DM for ${subject}`,
    first: "record the Slack DM first.",
    done: "the Slack DM has already been sent",
    whenDue: "record the Slack DM when it is due",
    dueName: "The Slack DM",
  },
] as const satisfies readonly ChaseStep[];

type Steps = typeof CHASE_STEPS;

/** A chase step's action: `ping`, `escalate`, `record_dm`. */
export type ChaseAction = Steps[number]["action"];
/** The chase steps Support Operations may take for everyone at once. */
export type BulkChaseAction = Extract<Steps[number], { bulk: true }>["action"];
/** The chase steps posted on the audit issue (whose replies stop the clock). */
export type PostedChaseAction = Extract<Steps[number], { delivery: "audit_issue" }>["action"];
/** The permissions of the chase steps. */
export type ChasePermission = Steps[number]["permission"];
/** The sign-off review's field counting a step's events (`pings`, `escalations`, `dms`). */
export type ChaseCountKey = Steps[number]["countKey"];
/** The item states the chase moves to, in order. */
export type ChaseState = Steps[number]["to"];

/** The chase's actions in order (also the order ties between due steps are broken in). */
export const CHASE_ACTIONS = CHASE_STEPS.map((step) => step.action) as unknown as readonly [
  ChaseAction,
  ...ChaseAction[],
];

export const BULK_CHASE_ACTIONS = CHASE_STEPS.filter((step) => step.bulk).map(
  (step) => step.action,
) as unknown as readonly [BulkChaseAction, ...BulkChaseAction[]];

export const POSTED_CHASE_ACTIONS: readonly PostedChaseAction[] = CHASE_STEPS.filter(
  (step): step is Extract<Steps[number], { delivery: "audit_issue" }> => step.delivery === "audit_issue",
).map((step) => step.action);

export const CHASE_PERMISSIONS = CHASE_STEPS.map((step) => step.permission) as unknown as readonly [
  ChasePermission,
  ...ChasePermission[],
];

/** The settings the chase's timers read. */
export const CHASE_TIMERS: readonly ChaseTimer[] = CHASE_STEPS.flatMap((step): ChaseTimer[] =>
  step.dueAfter === null ? [] : [step.dueAfter],
);

/** The item states the chase has moved an item to, in order. */
export const CHASE_STATES: readonly ChaseState[] = CHASE_STEPS.map((step) => step.to);

/** The step of an action. */
export function chaseStepOf<A extends ChaseAction>(action: A): Extract<Steps[number], { action: A }> {
  return CHASE_STEPS.find((step) => step.action === action) as Extract<Steps[number], { action: A }>;
}

/** Whether `value` is a chase step's action. */
export function isChaseAction(value: string): value is ChaseAction {
  return (CHASE_ACTIONS as readonly string[]).includes(value);
}

/** Whether a step of this action is posted on the audit issue. */
export function isPostedChaseAction(value: string): value is PostedChaseAction {
  return (POSTED_CHASE_ACTIONS as readonly string[]).includes(value);
}

/** Where an action stands in the chase: 0 for the first step; -1 when it is not a chase step. */
export function chaseIndexOf(action: string): number {
  return CHASE_ACTIONS.indexOf(action as ChaseAction);
}

/** Whether the state is one a chase step moves an item to. */
export function isChaseState(state: string): state is ChaseState {
  return (CHASE_STATES as readonly string[]).includes(state);
}

/** The step whose state this is (`pinged` → ping), or undefined for a state the chase did not move to. */
export function chaseStepReaching(state: string): Steps[number] | undefined {
  return CHASE_STEPS.find((step) => step.to === state);
}

/** Labels of the chase steps by action (buttons, "next action"). */
export const CHASE_LABELS = Object.fromEntries(
  CHASE_STEPS.map((step) => [step.action, step.label]),
) as Record<ChaseAction, string>;
