/**
 * Who fixes a finding, by its code: the colleague it names (chased: ping, escalation, Slack DM), or
 * whoever owns the PagerDuty schedule (Support Operations unless the config names a rotation's `owner`),
 * who fixes it in PagerDuty; the next run confirms the fix. Someone on a schedule who is not in the roster,
 * a deleted user still on a schedule, or a schedule that does not exist has no colleague to chase. Pure.
 */
import type { FindingCode } from "@/lib/audit/types";

/**
 * `colleague`: the person named fixes it and is chased; `schedule_owner`: the schedule's owner fixes it in
 * PagerDuty (`task`: what they do, a sentence) and nobody is chased.
 */
export type FindingFixer = { by: "colleague" } | { by: "schedule_owner"; task: string };

const COLLEAGUE: FindingFixer = { by: "colleague" };

/** Who fixes each code's findings: every code decided here, so a new code needs a decision. */
export const FINDING_FIXERS: Record<FindingCode, FindingFixer> = {
  missing_pagerduty_id: COLLEAGUE,
  unknown_pagerduty_id: COLLEAGUE,
  duplicate_pagerduty_id: COLLEAGUE,
  missing_from_schedule: COLLEAGUE,
  unexpected_in_schedule: COLLEAGUE,
  not_in_roster: {
    by: "schedule_owner",
    task: "Remove them from the schedule in PagerDuty, or add them to the roster if they belong on it.",
  },
  deleted_user_in_schedule: {
    by: "schedule_owner",
    task: "Remove the deleted user from the schedule in PagerDuty.",
  },
  email_mismatch: COLLEAGUE,
  not_pageable: COLLEAGUE,
  invitation_pending: COLLEAGUE,
  schedule_not_found: {
    by: "schedule_owner",
    task: "Correct the schedule ID in the audit config, or recreate the schedule in PagerDuty.",
  },
};

/** Who owns a schedule's findings when the config names no `owner` for its rotation. */
export const DEFAULT_SCHEDULE_OWNER = "Support Operations";

/** Whether a finding of this code is the named colleague's to fix, so they are chased about it. */
export function isColleagueFinding(code: FindingCode): boolean {
  return FINDING_FIXERS[code].by === "colleague";
}

/** What the schedule's owner does about a finding of this code; null for a colleague's finding. */
export function scheduleOwnerTaskOf(code: FindingCode): string | null {
  const fixer = FINDING_FIXERS[code];
  return fixer.by === "schedule_owner" ? fixer.task : null;
}

/**
 * Who owns a finding: null for a colleague's (they fix it and are chased); else `ownerName`, the owner the
 * config names for the finding's rotation, or Support Operations.
 */
export function ownerOf(item: { code: FindingCode; ownerName: string | null }): string | null {
  return isColleagueFinding(item.code) ? null : (item.ownerName ?? DEFAULT_SCHEDULE_OWNER);
}
