/**
 * What the queries return, as plain camelCase objects, and the mapping between them and the stored rows.
 * JSON columns are parsed (and checked) here, at the edge.
 */
import type { Selectable } from "kysely";
import { z } from "zod";
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

export interface Item extends ItemFinding, ItemWorkflowFields {
  id: string;
  auditId: string;
  justification: string | null;
  firstSeenRunId: string;
  lastSeenRunId: string;
  recurred: boolean;
  createdAt: string;
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

export function toAudit(row: Selectable<AuditsTable>): Audit {
  return {
    id: row.id,
    name: row.name,
    fiscalYear: row.fiscal_year,
    quarter: row.quarter,
    opensOn: row.opens_on,
    dueOn: row.due_on,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    issueUrl: row.issue_url,
    issueIid: row.issue_iid,
    signedOffAt: row.signed_off_at,
    signedOffBy: row.signed_off_by,
    signedOffByKey: row.signed_off_by_key,
    signOffReportSha256: row.sign_off_report_sha256,
    signOffOverrideReason: row.sign_off_override_reason,
  };
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    auditId: row.audit_id,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    startedBy: row.started_by,
    heartbeatAt: row.heartbeat_at,
    rosterSha256: row.roster_sha256,
    configSha256: row.config_sha256,
    snapshotSha256: row.snapshot_sha256,
    findingsCount: row.findings_count,
    error: row.error,
    progress: parseJsonColumn(RunProgressSchema, row.progress_json, "run progress"),
  };
}

export function toItem(row: Selectable<ItemsTable>): Item {
  return {
    id: row.id,
    auditId: row.audit_id,
    key: row.key,
    code: row.code,
    severity: row.severity,
    personKey: row.person_key,
    personName: row.person_name,
    personEmail: row.person_email,
    gitlabUsername: row.gitlab_username,
    managerName: row.manager_name,
    region: row.region,
    scheduleId: row.schedule_id,
    scheduleName: row.schedule_name,
    rotation: row.rotation,
    message: row.message,
    evidence: parseJsonColumn(EvidenceSchema, row.evidence_json, "item evidence") ?? {},
    state: row.state,
    stateChangedAt: row.state_changed_at,
    waivedUntil: row.waived_until,
    justification: row.justification,
    repliedAt: row.replied_at,
    firstSeenRunId: row.first_seen_run_id,
    lastSeenRunId: row.last_seen_run_id,
    recurred: row.recurred === 1,
    createdAt: row.created_at,
  };
}

export function toEvent(row: Selectable<EventsTable>): AuditEvent {
  return {
    id: row.id,
    auditId: row.audit_id,
    itemId: row.item_id,
    personKey: row.person_key,
    actor: row.actor,
    actorKey: row.actor_key,
    at: row.at,
    action: row.action,
    fromState: row.from_state,
    toState: row.to_state,
    detail: parseJsonColumn(EventDetailSchema, row.detail_json, "event detail"),
  };
}

function parseJsonColumn<T>(schema: z.ZodType<T>, text: string | null, what: string): T | null {
  if (text === null) return null;
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError("internal:database", `The stored ${what} is not valid.`, { cause: error });
  }
}
