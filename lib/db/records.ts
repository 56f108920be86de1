/**
 * What the queries return, as plain camelCase objects, and the mapping between them and the stored rows.
 * JSON columns are parsed (and checked) here, at the edge.
 */
import type { Insertable, Selectable } from "kysely";
import * as z from "zod";
import type { Finding, FindingCode, Severity } from "@/lib/audit/types";
import type {
  AuditStatus,
  AuditsTable,
  EventAction,
  EventState,
  EventsTable,
  ItemsTable,
  RunsTable,
} from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import type { ItemState, ItemWorkflowFields } from "@/lib/workflow/types";

const EvidenceSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]),
);

/** Free-form facts of an event: a justification, a waiver's end, a comment URL, a message. */
export const EventDetailSchema = z.record(z.string(), z.json());
export type EventDetail = z.infer<typeof EventDetailSchema>;

export const RunProgressSchema = z.object({ phase: z.string(), done: z.number(), total: z.number() });
export type RunProgress = z.infer<typeof RunProgressSchema>;

export interface Audit {
  id: string;
  name: string;
  fiscalYear: number;
  quarter: number;
  /** `YYYY-MM-DD`. */
  opensOn: string;
  dueOn: string;
  status: AuditStatus;
  createdAt: string;
  createdBy: string;
  issueUrl: string | null;
  issueIid: number | null;
  signedOffAt: string | null;
  signedOffBy: string | null;
  /** Person key of who signed off; null when not signed off or signed off before keys were stored. */
  signedOffByKey: string | null;
  signOffReportSha256: string | null;
  signOffOverrideReason: string | null;
  /** The server takes the chase's due steps itself (escalations, the Slack DM). */
  autopilot: boolean;
}

/** A run without its report (which can be large): see getRunReport. */
export interface Run {
  id: string;
  auditId: string;
  status: RunsTable["status"];
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  heartbeatAt: string;
  rosterSha256: string | null;
  configSha256: string | null;
  snapshotSha256: string | null;
  findingsCount: number;
  error: string | null;
  progress: RunProgress | null;
}

export const RUN_COLUMNS = [
  "id",
  "audit_id",
  "status",
  "started_at",
  "finished_at",
  "started_by",
  "heartbeat_at",
  "roster_sha256",
  "config_sha256",
  "snapshot_sha256",
  "findings_count",
  "error",
  "progress_json",
] as const;
export type RunRow = Pick<Selectable<RunsTable>, (typeof RUN_COLUMNS)[number]>;

/** What the run saw of a finding, as stored on its item. */
export interface ItemFinding {
  key: string;
  code: FindingCode;
  severity: Severity;
  personKey: string | null;
  personName: string | null;
  personEmail: string | null;
  gitlabUsername: string | null;
  managerName: string | null;
  region: string | null;
  scheduleId: string | null;
  scheduleName: string | null;
  rotation: string | null;
  /** The configured owner's name, for a finding no colleague can fix; null or absent: Support Operations. */
  ownerName?: string | null;
  /** The person's roster `tzdata_timezone`, which their timers count in; null or absent: the default zone. */
  personTimezone?: string | null;
  /** The manager's roster `tzdata_timezone` and region, the escalation's hours; null or absent: the organisation's. */
  managerTimezone?: string | null;
  managerRegion?: string | null;
  message: string;
  evidence: Finding["evidence"];
}

/** A state change decided by the workflow rules. Omitted optional fields stay as stored; null clears. */
export interface ItemStateChange {
  state: ItemState;
  /** ISO 8601 UTC. */
  stateChangedAt: string;
  waivedUntil?: string | null;
  justification?: string | null;
  repliedAt?: string | null;
}

export interface Item
  extends
    ItemFinding,
    Omit<ItemWorkflowFields, "code" | "region" | "personTimezone" | "managerTimezone" | "managerRegion"> {
  ownerName: string | null;
  personTimezone: string | null;
  managerTimezone: string | null;
  managerRegion: string | null;
  id: string;
  auditId: string;
  justification: string | null;
  firstSeenRunId: string;
  lastSeenRunId: string;
  recurred: boolean;
  createdAt: string;
}

/** An event to append; what is omitted is null. */
export interface NewEvent {
  auditId: string;
  itemId?: string | null;
  personKey?: string | null;
  actor: string;
  /** Person key of the signed-in person who acted; null (the default) for the system. */
  actorKey?: string | null;
  at: Date;
  action: EventAction;
  fromState?: EventState | null;
  toState?: EventState | null;
  detail?: EventDetail | null;
}

export interface AuditEvent {
  /** Increases with every event appended; the log's order. */
  id: number;
  auditId: string;
  itemId: string | null;
  personKey: string | null;
  actor: string;
  /** Person key of the signed-in person who acted; null for the system and for replies read from GitLab. */
  actorKey: string | null;
  at: string;
  action: EventAction;
  fromState: EventState | null;
  toState: EventState | null;
  detail: EventDetail | null;
}

export function findingColumns(finding: Omit<ItemFinding, "key">) {
  return {
    code: finding.code,
    severity: finding.severity,
    person_key: finding.personKey,
    person_name: finding.personName,
    person_email: finding.personEmail,
    gitlab_username: finding.gitlabUsername,
    manager_name: finding.managerName,
    region: finding.region,
    schedule_id: finding.scheduleId,
    schedule_name: finding.scheduleName,
    rotation: finding.rotation,
    owner_name: finding.ownerName ?? null,
    person_timezone: finding.personTimezone ?? null,
    manager_timezone: finding.managerTimezone ?? null,
    manager_region: finding.managerRegion ?? null,
    message: finding.message,
    evidence_json: JSON.stringify(finding.evidence),
  };
}

export function stateColumns(next: ItemStateChange) {
  return {
    state: next.state,
    state_changed_at: next.stateChangedAt,
    ...(next.waivedUntil === undefined ? {} : { waived_until: next.waivedUntil }),
    ...(next.justification === undefined ? {} : { justification: next.justification }),
    ...(next.repliedAt === undefined ? {} : { replied_at: next.repliedAt }),
  };
}

/**
 * The audit without the claims on creating its issue, on sending it back and on its scheduled re-run:
 * the export's, the send-back's and the scheduler's own business, never shown (see issue-claims.ts,
 * audits.ts, scheduled-runs.ts).
 */
export function auditFromRow(row: Selectable<AuditsTable>): Audit {
  const {
    issue_claim_id: _claimId,
    issue_claimed_at: _claimedAt,
    rerun_claimed_at: _rerunClaimedAt,
    send_back_claim_id: _sendBackClaimId,
    send_back_claimed_at: _sendBackClaimedAt,
    autopilot,
    ...columns
  } = row;
  return exactly<Audit>()({ ...camelKeys(columns), autopilot: autopilot === 1 });
}

export function runFromRow(row: RunRow): Run {
  const { progress_json, ...columns } = row;
  return exactly<Run>()({
    ...camelKeys(columns),
    progress: parseJsonColumn(RunProgressSchema, progress_json, "run progress"),
  });
}

export function itemFromRow(row: Selectable<ItemsTable>): Item {
  const { evidence_json, recurred, ...columns } = row;
  return exactly<Item>()({
    ...camelKeys(columns),
    evidence: parseJsonColumn(EvidenceSchema, evidence_json, "item evidence") ?? {},
    recurred: recurred === 1,
  });
}

export function eventFromRow(row: Selectable<EventsTable>): AuditEvent {
  const { detail_json, ...columns } = row;
  return exactly<AuditEvent>()({
    ...camelKeys(columns),
    detail: parseJsonColumn(EventDetailSchema, detail_json, "event detail"),
  });
}

/** An event as `events` stores it; `id` is given by the database. */
export function eventToRow(event: NewEvent): Insertable<EventsTable> {
  return {
    audit_id: event.auditId,
    item_id: event.itemId ?? null,
    person_key: event.personKey ?? null,
    actor: event.actor,
    actor_key: event.actorKey ?? null,
    at: event.at.toISOString(),
    action: event.action,
    from_state: event.fromState ?? null,
    to_state: event.toState ?? null,
    detail_json: event.detail ? JSON.stringify(event.detail) : null,
  };
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type CamelKeys<Row> = { [K in keyof Row & string as CamelCase<K>]: Row[K] };

/** The row's values under camelCase names (`sign_off_report_sha256` → `signOffReportSha256`). */
function camelKeys<Row extends object>(row: Row): CamelKeys<Row> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase()),
      value,
    ]),
  ) as CamelKeys<Row>;
}

/**
 * `value` as a `T`, refused at compile time when it lacks a field of `T` or has one `T` does not declare: a
 * column added to a table reaches a record only once the record names it.
 */
function exactly<T>() {
  return <U extends T>(value: U & Record<Exclude<keyof U, keyof T>, never>): T => value;
}

function parseJsonColumn<T>(schema: z.ZodType<T>, text: string | null, what: string): T | null {
  if (text === null) return null;
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError("internal:database", `The stored ${what} is not valid.`, { cause: error });
  }
}
