/**
 * The stored tables as Kysely sees them. Both dialects store the same values: times as ISO 8601 UTC text
 * (`2026-11-24T12:00:00.000Z`, which sorts as text), calendar days as `YYYY-MM-DD`, booleans as 0/1 and
 * JSON as text, so a query and its result are identical on SQLite and Postgres.
 */
import type { Generated } from "kysely";
import type { FindingCode, Severity } from "@/lib/audit/types";
import { CHASE_ACTIONS, type ChaseAction } from "@/lib/workflow/chase";
import type { ItemAction, ItemState } from "@/lib/workflow/types";

export const AUDIT_STATUSES = ["open", "in_review", "signed_off"] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export const RUN_STATUSES = ["running", "complete", "incomplete", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type FinishedRunStatus = Exclude<RunStatus, "running">;

/** Actions on the audit itself, logged in `events` with no item. */
export const AUDIT_ACTIONS = [
  "sign_off",
  "reopen_audit",
  "set_audit_status",
  "export_issue",
  "set_autopilot",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The audit actions that hand its review over: submitted, sent back or withdrawn, and signed off. */
export const REVIEW_ACTIONS = ["set_audit_status", "sign_off"] as const satisfies readonly AuditAction[];

/**
 * Everything the event log records: the workflow's item actions, a reply read from the audit issue, a
 * reminder autopilot posted there (it changes no state), and the audit's own actions.
 */
export type EventAction = ItemAction | "reply" | "remind" | AuditAction;

/**
 * Actions that make up a person's history on their page: what was sent to them, what they answered, and
 * how their findings were resolved without a fix or reopened (an override among them shows as one).
 */
export const PERSON_HISTORY_ACTIONS = [
  ...CHASE_ACTIONS,
  "remind",
  "reply",
  "mark_intentional",
  "waive",
  "reopen",
] as const satisfies readonly EventAction[];

/**
 * Actions that make up the activity of a person or an audit: their history, and what re-runs found of their
 * findings (fixed, or back after a fix). Not the run's bookkeeping (`detected`, `still_present`).
 */
export const ACTIVITY_ACTIONS = [
  ...PERSON_HISTORY_ACTIONS,
  "fixed_by_rerun",
  "recurred",
  "set_autopilot",
] as const satisfies readonly EventAction[];
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export function isActivityAction(action: EventAction): action is ActivityAction {
  return (ACTIVITY_ACTIONS as readonly EventAction[]).includes(action);
}

/** An event's `from_state`/`to_state`: an item state, or an audit status for the audit's own actions. */
export type EventState = ItemState | AuditStatus;

export interface AuditsTable {
  id: string;
  /** Unique, e.g. `FY27-Q3`. */
  name: string;
  fiscal_year: number;
  quarter: number;
  opens_on: string;
  due_on: string;
  status: AuditStatus;
  created_at: string;
  created_by: string;
  issue_url: string | null;
  issue_iid: number | null;
  signed_off_at: string | null;
  signed_off_by: string | null;
  /** Person key of who signed off (`signed_off_by` is their display name); null before 0003. */
  signed_off_by_key: string | null;
  sign_off_report_sha256: string | null;
  sign_off_override_reason: string | null;
  /**
   * Set while one export creates the audit's GitLab issue (its first export): the claim's id, and when its
   * holder last renewed it. Cleared when the issue is linked or the export fails. Internal to the export.
   */
  issue_claim_id: string | null;
  issue_claimed_at: string | null;
  /** 0/1: the server takes the chase's due steps itself (escalations, the Slack DM). */
  autopilot: Generated<number>;
  /** When an instance last claimed the audit's scheduled re-run (on the app clock); null before the first. */
  rerun_claimed_at: string | null;
  /**
   * Set while one send-back tells the audit issue: the claim's id and when it was taken. Cleared when the
   * send-back is recorded or its comment fails. Internal to the send-back.
   */
  send_back_claim_id: string | null;
  send_back_claimed_at: string | null;
}

export interface RunsTable {
  id: string;
  audit_id: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  started_by: string;
  /** Refreshed while the run works; a `running` run whose heartbeat is old is taken to be abandoned. */
  heartbeat_at: string;
  roster_sha256: string | null;
  config_sha256: string | null;
  snapshot_sha256: string | null;
  /** The whole AuditReport as JSON. */
  report_json: string | null;
  findings_count: number;
  error: string | null;
  /** The latest progress of a running audit, for the page to poll. */
  progress_json: string | null;
}

export interface ItemsTable {
  id: string;
  audit_id: string;
  /** The finding's stable key; unique within an audit. */
  key: string;
  code: FindingCode;
  severity: Severity;
  person_key: string | null;
  person_name: string | null;
  person_email: string | null;
  gitlab_username: string | null;
  manager_name: string | null;
  region: string | null;
  /** The person's roster `tzdata_timezone` at the latest run (their timers count in it); null before 0010. */
  person_timezone: string | null;
  /** The `tzdata_timezone` and region of the person's manager at the latest run; null before 0012. */
  manager_timezone: string | null;
  manager_region: string | null;
  schedule_id: string | null;
  schedule_name: string | null;
  rotation: string | null;
  /**
   * Name of the owner the config gives the rotation, for a finding no colleague can fix; null: Support
   * Operations, and every colleague's finding (lib/workflow/owners.ts). Null before 0005.
   */
  owner_name: string | null;
  message: string;
  evidence_json: string;
  state: ItemState;
  state_changed_at: string;
  waived_until: string | null;
  justification: string | null;
  replied_at: string | null;
  first_seen_run_id: string;
  last_seen_run_id: string;
  /** 0/1: the finding came back after a re-run had found it fixed. */
  recurred: number;
  created_at: string;
}

/** Append-only: rows are inserted, never updated or deleted. `id` gives the order. */
export interface EventsTable {
  id: Generated<number>;
  audit_id: string;
  item_id: string | null;
  person_key: string | null;
  /** A display name or username, or `system` for what a run records. */
  actor: string;
  /** Person key of the signed-in person who acted; null for the system, a GitLab reply and rows before 0003. */
  actor_key: string | null;
  at: string;
  action: EventAction;
  from_state: EventState | null;
  to_state: EventState | null;
  detail_json: string | null;
}

/** The health check's write probe (lib/db/probe.ts): one row at rest, replaced by every check. */
export interface HealthProbesTable {
  id: string;
  /** Room the probe asks for, so a database with no room left fails the check as it fails real writes. */
  headroom: string;
}

/**
 * Who posts a chase step for a person (chase-claims.ts): one row per audit, step, person and version of the
 * person's findings the step applies to, so that exactly one attempt posts its comment. Internal to posting.
 */
export interface ChaseClaimsTable {
  /** Derived from the audit, the step, the person and their findings' ids and times; the comment's marker. */
  key: string;
  audit_id: string;
  person_key: string;
  /**
   * The step claimed: a chase action, `remind` (autopilot's reminder before the escalation), or `ping_dm`
   * (the Slack DM to a person pinged, with the config's `slack.dm_on_ping`).
   */
  action: ChaseAction | "remind" | "ping_dm";
  /** The attempt holding the claim; null once released (its post failed), so another may take it at once. */
  holder: string | null;
  /** When the first attempt claimed it (wall clock): its comment cannot be older. */
  created_at: string;
  /** When the holder last renewed it (wall clock); a claim not renewed for a while belonged to one that died. */
  claimed_at: string | null;
  /** The comment once posted. */
  comment_url: string | null;
  /** When the findings were recorded as chased: nobody posts for this version again. */
  done_at: string | null;
}

/** Autopilot paused for one person of an audit (see migration 0011). */
export interface AutopilotPausesTable {
  audit_id: string;
  person_key: string;
  paused_by: string;
  paused_by_key: string | null;
  paused_at: string;
}

export interface Database {
  audits: AuditsTable;
  runs: RunsTable;
  items: ItemsTable;
  events: EventsTable;
  health_probes: HealthProbesTable;
  chase_claims: ChaseClaimsTable;
  autopilot_pauses: AutopilotPausesTable;
}

export type DialectName = "sqlite" | "postgres";
