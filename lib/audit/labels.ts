import type { FindingCode, PdSchedule } from "./types";

/** Short human names of the finding codes, for tables, filters and the exported report. */
export const CODE_LABELS: Record<FindingCode, string> = {
  missing_pagerduty_id: "No PagerDuty ID in the roster",
  unknown_pagerduty_id: "PagerDuty ID unknown to PagerDuty",
  duplicate_pagerduty_id: "PagerDuty ID shared by two roster entries",
  missing_from_schedule: "In a rotation, missing from its schedules",
  unexpected_in_schedule: "On a schedule the roster does not put them on",
  not_in_roster: "On a schedule, not in the roster",
  deleted_user_in_schedule: "Deleted PagerDuty user still on a schedule",
  email_mismatch: "Roster and PagerDuty emails differ",
  not_pageable: "Cannot be paged (no contact methods or rules)",
  invitation_pending: "PagerDuty invitation not accepted",
  schedule_not_found: "Configured schedule does not exist",
};

/**
 * The two kinds of PagerDuty schedule by one name everywhere (evidence, schedules, the report): PagerDuty's
 * layered schedules (API v2) and its shift-based ones (v3). Never "v2" on one page and "layer-based" on another.
 */
export const SCHEDULE_KIND_LABELS: Record<PdSchedule["kind"], string> = {
  v2: "layer-based",
  v3: "shift-based",
};
