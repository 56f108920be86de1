import type { FindingCode, Severity } from "./types";

/**
 * How serious each finding code is: an error leaves someone unpageable or paged wrongly, a warning is
 * drift to tidy. The checker stamps it on each finding; the dashboard colours code chips by it.
 */
export const SEVERITY_OF_CODE: Record<FindingCode, Severity> = {
  missing_pagerduty_id: "error",
  unknown_pagerduty_id: "error",
  duplicate_pagerduty_id: "error",
  missing_from_schedule: "error",
  unexpected_in_schedule: "warning",
  not_in_roster: "warning",
  deleted_user_in_schedule: "error",
  email_mismatch: "warning",
  not_pageable: "error",
  invitation_pending: "warning",
  schedule_not_found: "error",
};
