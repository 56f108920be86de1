import type { RosterWarning } from "@/lib/roster/schema";

/**
 * The checker's input and output. Adapters produce a PagerDutySnapshot; the checker turns
 * (roster, snapshot, config, now) into an AuditReport. These shapes are the JSON contract of the CLI's
 * `--format json` (version 1) and of stored runs: add fields, never rename or remove them.
 */

/** A PagerDuty user as the audit needs it. Counts are of the user's contact methods and notification rules. */
export interface PdUser {
  id: string;
  name: string;
  email: string;
  /** Set when PagerDuty reports the user deleted (seen on schedule references and on some user reads). */
  deletedAt: string | null;
  /** PagerDuty's `invitation_sent`: true while the user has not accepted the invitation. */
  invitationSent: boolean;
  contactMethodCount: number;
  notificationRuleCount: number;
}

export interface PdScheduleMember {
  userId: string;
  /** The reference's `summary` as the schedule shows it; null for v3 members (they carry only an ID). */
  name: string | null;
  deletedAt: string | null;
}

/**
 * A period of a schedule with its members: a layer of a layer-based (v2) schedule, or an event of a
 * shift-based (v3) schedule's rotation. `end` null means it does not end.
 */
export interface PdSchedulePeriod {
  id: string | null;
  name: string | null;
  start: string | null;
  end: string | null;
  members: PdScheduleMember[];
}

export interface PdSchedule {
  id: string;
  name: string;
  kind: "v2" | "v3";
  htmlUrl: string | null;
  periods: PdSchedulePeriod[];
}

/** What could not be read. A failure withholds every finding that depends on the missing data. */
export type FetchFailure =
  | { kind: "users_list"; message: string }
  | { kind: "user"; userId: string; message: string }
  | { kind: "schedule"; scheduleId: string; message: string };

export interface PagerDutySnapshot {
  /** ISO time the snapshot was taken (informational: the checker uses its own `now`). */
  fetchedAt: string;
  /** Every user read: the whole `/users` list plus individual lookups of IDs the list lacked. */
  users: PdUser[];
  /** IDs that were looked up one by one and that PagerDuty does not know (404). */
  unknownUserIds: string[];
  schedules: PdSchedule[];
  /** Configured schedule IDs that exist neither as v2 nor as v3 schedules (both answered 404). */
  missingScheduleIds: string[];
  failures: FetchFailure[];
}

export const FINDING_CODES = [
  "missing_pagerduty_id",
  "unknown_pagerduty_id",
  "duplicate_pagerduty_id",
  "missing_from_schedule",
  "unexpected_in_schedule",
  "not_in_roster",
  "deleted_user_in_schedule",
  "email_mismatch",
  "not_pageable",
  "invitation_pending",
  "schedule_not_found",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = "error" | "warning";

export interface FindingPerson {
  name: string;
  email: string | null;
  /** GitLab username without the `@`. */
  gitlab: string | null;
  pagerdutyId: string | null;
  /** True when the person comes from PagerDuty only (not in the roster). */
  inRoster: boolean;
}

export interface Finding {
  /** Stable across runs: code + person + schedule + rotation. Used to key dashboard items. */
  key: string;
  code: FindingCode;
  severity: Severity;
  person: FindingPerson | null;
  schedule: { id: string; name: string | null } | null;
  rotation: string | null;
  message: string;
  /** What the roster and PagerDuty each say, for a person to check the finding. */
  evidence: Record<string, string | number | boolean | null | string[]>;
}

export interface ReportError {
  kind: FetchFailure["kind"];
  id: string | null;
  message: string;
  /**
   * Finding codes this failure kept from being decided: a code is listed only when at least one finding of
   * it could have come out had the data been read (findings of the same code may still be reported, about
   * what was read). Empty when the failure touched nothing the audit needed.
   */
  withheld: FindingCode[];
}

export interface ReportSummary {
  rosterPeople: number;
  exemptPeople: number;
  auditedPeople: number;
  peopleWithFindings: number;
  findings: number;
  byCode: Record<FindingCode, number>;
  bySeverity: Record<Severity, number>;
  rotations: number;
  schedules: { configured: number; read: number; missing: number; failed: number };
}

/** Who is on a rotation's schedules and who should be, at the audit's moment. */
export interface RotationCoverage {
  rotation: string;
  name: string;
  /** Roster people the config puts in this rotation (exempt people excluded). */
  expected: { name: string; email: string; pagerdutyId: string | null }[];
  schedules: {
    id: string;
    /** null when the schedule could not be read or does not exist. */
    name: string | null;
    kind: "v2" | "v3" | null;
    /**
     * PagerDuty's page of the schedule (its `html_url`); null when it was not read or PagerDuty sent none.
     * Absent in reports stored before it was added.
     */
    url?: string | null;
    status: "read" | "missing" | "failed";
    members: {
      pagerdutyId: string;
      name: string | null;
      email: string | null;
      inRoster: boolean;
      deleted: boolean;
      /**
       * A roster person with an exempt title (or their account): not audited, so on any schedule without a
       * finding. Absent in reports stored before it was added.
       */
      exempt?: boolean;
    }[];
  }[];
}

/** A warning about the roster (a value read leniently): where it is, as an error's details say it. */
export type ReportWarning = RosterWarning;

export interface AuditReport {
  version: 1;
  complete: boolean;
  errors: ReportError[];
  /** The roster's warnings, in file order. Absent in reports stored before it was added. */
  warnings?: ReportWarning[];
  generatedAt: string;
  findings: Finding[];
  summary: ReportSummary;
  coverage: RotationCoverage[];
}
