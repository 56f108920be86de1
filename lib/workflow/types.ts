/**
 * The audit process as data: item states, the actions people take, and the settings of its timers. Pure
 * types shared by the workflow rules (lib/workflow), storage (lib/db) and the pages. The chase's steps,
 * states and timers come from chase.ts.
 */
import type { FindingCode } from "@/lib/audit/types";
import { CHASE_ACTIONS, CHASE_STATES, CHASE_STEPS, type ChaseAction, type ChaseTimer } from "./chase";
import type { WorkingTimeSettings } from "./working-time";

/** Stored state of one audit item (one finding of one person, keyed stably across runs). */
export const ITEM_STATES = ["open", ...CHASE_STATES, "fixed", "intentional", "waived"] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States in which an item still needs someone to act. */
export const UNRESOLVED_STATES: readonly ItemState[] = ["open", ...CHASE_STATES];

/** A status a chase step's timer shows once the step is due (`follow_up_due`, `dm_due`). */
export type ChaseDueStatus = NonNullable<(typeof CHASE_STEPS)[number]["dueStatus"]>;

/**
 * What a person sees: the stored state, or a timer-derived one. `follow_up_due`: pinged and the follow-up
 * time has passed with no reply; `dm_due`: escalated and the DM time has passed; `waiver_expired`: waived
 * until a date that has passed (the item counts as open again).
 */
export type ItemStatus = ItemState | ChaseDueStatus | "waiver_expired";

/** Actions a signed-in user takes on items. Each is refused server-side unless the item's state allows it. */
export const USER_ACTIONS = [...CHASE_ACTIONS, "mark_intentional", "waive", "reopen"] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** What the system records on its own when an audit is re-run. */
export const SYSTEM_ACTIONS = ["detected", "recurred", "fixed_by_rerun", "still_present"] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];

export type ItemAction = UserAction | SystemAction;

/** The timers' settings are named by the chase steps that read them (`dueAfter` in chase.ts). */
export interface WorkflowSettings extends Record<ChaseTimer, number> {
  /** Hours after a ping before the follow-up (manager + Support Ops Manager) is due. Policy: about 72. */
  followUpHours: number;
  /** Hours after the escalation before the Slack DM to the Support Ops Manager is due. Policy: about 72. */
  dmHours: number;
  /**
   * How far ahead a waiver may end, in whole calendar months from today (UTC): a waiver is a decision to
   * look again, not a way to hide a finding for good. Policy: 12; `AUDIT_MAX_WAIVER_MONTHS` changes it.
   */
  maxWaiverMonths: number;
  /**
   * How the timers count (working-time.ts): over each person's working days in their zone, a step falling
   * due at the start of their working day; absent, in plain hours from the step before.
   */
  workingTime?: WorkingTimeSettings;
}

export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = {
  followUpHours: 72,
  dmHours: 72,
  maxWaiverMonths: 12,
};

/** The part of a stored item the workflow rules read. Times are ISO 8601 UTC strings. */
export interface ItemWorkflowFields {
  /**
   * The finding's code: one that is not a colleague's to fix (owners.ts) is never chased. Absent (an item
   * not yet stored), the rules treat it as a colleague's.
   */
  code?: FindingCode;
  state: ItemState;
  /** When `state` was entered. */
  stateChangedAt: string;
  /** For `waived`: the first day the item counts as open again (ISO date or time). */
  waivedUntil: string | null;
  /** Last reply from the person after the latest ping (read from the audit issue); stops the follow-up clock. */
  repliedAt: string | null;
  /** The person's roster `tzdata_timezone` and region, for timers on their working time (`workingTime`). */
  personTimezone?: string | null;
  region?: string | null;
  /**
   * The `tzdata_timezone` and region of the manager the person's `reports_to` names, for the escalation,
   * which is taken in the manager's working hours; both null or absent when the roster does not hold the
   * manager (the organisation's hours then, as only Support Operations can act on it).
   */
  managerTimezone?: string | null;
  managerRegion?: string | null;
}

/** Every status a person can see, in the order of the process (stored states first, as in ITEM_STATES). */
export const ITEM_STATUSES = [
  ...ITEM_STATES,
  ...CHASE_STEPS.flatMap((step): ChaseDueStatus[] => (step.dueStatus === null ? [] : [step.dueStatus])),
  "waiver_expired",
] as const satisfies readonly ItemStatus[];

/**
 * Bounds of a written reason (a justification for `mark_intentional` and `waive`, a sign-off override
 * reason, a send-back comment): at least MIN characters a reader sees, at most MAX characters stored
 * (`writtenTextProblem` in visible-text.ts).
 */
export const JUSTIFICATION_MIN_LENGTH = 10;
export const JUSTIFICATION_MAX_LENGTH = 2000;
export const JUSTIFICATION_BOUNDS = { min: JUSTIFICATION_MIN_LENGTH, max: JUSTIFICATION_MAX_LENGTH } as const;

/**
 * Bounds of a personal note added to a ping or an escalation comment: optional, but when given at least one
 * character a reader sees, at most MAX stored (`writtenTextProblem`).
 */
export const CHASE_NOTE_MAX_LENGTH = 1000;
export const CHASE_NOTE_BOUNDS = { min: 1, max: CHASE_NOTE_MAX_LENGTH } as const;

/** A user action with its input, as a route handler receives it. */
export type UserActionInput =
  /**
   * A chase step (chase.ts): needs the item's state and timer, nothing else. `note`: a step posted on the
   * audit issue (ping, escalation) may carry a personal note, quoted in its comment; the rules ignore it.
   */
  | { type: ChaseAction; note?: string }
  /**
   * `override`: the Support Operations Manager resolving their own finding, which only they may do and
   * only as an override; recorded with the event. The workflow rules do not read it (who may is roles.ts).
   */
  | { type: "mark_intentional"; justification: string; override?: boolean }
  /**
   * `until`: `YYYY-MM-DD`, after today (UTC) and at most `maxWaiverMonths` ahead; the first day the item
   * counts as open again.
   */
  | { type: "waive"; until: string; justification: string; override?: boolean }
  | { type: "reopen" };

/** Outcome of a user action: the fields to store, or why it was refused (a sentence safe to show). */
export type UserActionResult =
  | {
      ok: true;
      next: ItemWorkflowFields;
      from: ItemState;
      to: ItemState;
      /** The trimmed justification to record with the event (`mark_intentional`, `waive`), else null. */
      justification: string | null;
    }
  | { ok: false; reason: string };

/** Outcome of a system action; `from` is null when the item did not exist yet (`detected`). */
export type SystemActionResult =
  | { ok: true; next: ItemWorkflowFields; from: ItemState | null; to: ItemState }
  | { ok: false; reason: string };
