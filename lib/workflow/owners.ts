/**
 * Who fixes a finding, by its code: the colleague it names (chased: ping, escalation, Slack DM), or
 * whoever owns the PagerDuty schedule (Support Operations unless the config names a rotation's `owner`),
 * who fixes it in PagerDuty; the next run confirms the fix. Someone on a schedule who is not in the roster,
 * a deleted user still on a schedule, or a schedule that does not exist has no colleague to chase. Pure.
 */
import type { Finding, FindingCode } from "@/lib/audit/types";

/** What a "what to do" text reads of a finding: its code, evidence and where it is. */
export interface FindingFacts {
  code: FindingCode;
  evidence: Finding["evidence"];
  scheduleName: string | null;
  scheduleId: string | null;
  /** The rotation's id, and its name where the config is at hand (texts say the name rather than the id). */
  rotation: string | null;
  rotationName?: string | null;
}

/**
 * `colleague`: the person named fixes it and is chased (`task`: what they do, said to them, from the
 * finding's evidence); `schedule_owner`: the schedule's owner fixes it in PagerDuty (`task`: what they do,
 * a sentence) and nobody is chased. Texts mark what is typed as written with backticks (`pagerduty.id`).
 */
export type FindingFixer =
  { by: "colleague"; task: (finding: FindingFacts) => string } | { by: "schedule_owner"; task: string };

const REPLY = "then reply on the audit issue";

function text(value: Finding["evidence"][string] | undefined): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function texts(value: Finding["evidence"][string] | undefined): string[] {
  return Array.isArray(value) ? value.filter((v) => v.trim() !== "") : [];
}

function count(value: Finding["evidence"][string] | undefined): number | null {
  return typeof value === "number" ? value : null;
}

function scheduleOf(finding: FindingFacts): string {
  return finding.scheduleName ?? finding.scheduleId ?? "the schedule";
}

/** What to set as `pagerduty.id`: the suggested user's ID when PagerDuty has one with the roster email. */
function setIdTask(suggested: string | null): string {
  return suggested
    ? `Set \`pagerduty.id: ${suggested}\` in your roster entry (PagerDuty user ${suggested} has your roster email), ${REPLY}.`
    : `Find your PagerDuty user ID (open your profile in PagerDuty: the ID is the last part of its address), set \`pagerduty.id: <that ID>\` in your roster entry, ${REPLY}.`;
}

/** Who fixes each code's findings, and what they do: every code decided here, so a new code needs both. */
export const FINDING_FIXERS: Record<FindingCode, FindingFixer> = {
  missing_pagerduty_id: {
    by: "colleague",
    task: ({ evidence }) =>
      `Your roster entry has no PagerDuty ID. ${setIdTask(text(evidence.suggested_pagerduty_id))}`,
  },
  unknown_pagerduty_id: {
    by: "colleague",
    task: ({ evidence }) => {
      const id = text(evidence.roster_pagerduty_id);
      return `PagerDuty has no user ${id ? `\`${id}\`` : "with the ID in your roster entry"}. ${setIdTask(text(evidence.suggested_pagerduty_id))}`;
    },
  },
  duplicate_pagerduty_id: {
    by: "colleague",
    task: ({ evidence }) => {
      const id = text(evidence.roster_pagerduty_id);
      const others = texts(evidence.also_used_by);
      return `Your roster entry gives the PagerDuty ID ${id ? `\`${id}\`` : "it has"} that ${others.length > 0 ? `${others.join(" and ")}'s entry also gives` : "another entry also gives"}. Open that user in PagerDuty: if it is not you, set your own ID in \`pagerduty.id\`, ${REPLY}.`;
    },
  },
  missing_from_schedule: {
    by: "colleague",
    task: ({ rotation, rotationName }) =>
      `The roster puts you in ${rotationName ? `the ${rotationName} rotation` : rotation ? `the \`${rotation}\` rotation` : "a rotation"}, but you are on none of its schedules. Ask Support Operations to add you to the schedule, or remove the rotation from your roster entry if you left it; ${REPLY}.`,
  },
  unexpected_in_schedule: {
    by: "colleague",
    task: (finding) =>
      `You are on ${scheduleOf(finding)} in PagerDuty, but your roster entry does not put you in its rotation. Add the rotation to your roster entry if you belong on it, or ask Support Operations to take you off the schedule; ${REPLY}.`,
  },
  not_in_roster: {
    by: "schedule_owner",
    task: "Remove them from the schedule in PagerDuty, or add them to the roster if they belong on it.",
  },
  deleted_user_in_schedule: {
    by: "schedule_owner",
    task: "Remove the deleted user from the schedule in PagerDuty.",
  },
  email_mismatch: {
    by: "colleague",
    task: ({ evidence }) => {
      const both = [text(evidence.roster_email), text(evidence.pagerduty_email)];
      const [roster, pagerduty] = both.map((email) => (email ? ` \`${email}\`` : ""));
      return `Your roster email${roster} and your PagerDuty email${pagerduty} differ. Change the one that is out of date (in your PagerDuty profile, or \`email\` in your roster entry) so both are the same, ${REPLY}.`;
    },
  },
  not_pageable: {
    by: "colleague",
    task: ({ evidence }) => {
      const missing = [
        count(evidence.contact_methods) === 0 ? "a contact method (your phone or email)" : null,
        count(evidence.notification_rules) === 0 ? "a notification rule" : null,
      ].filter((m): m is string => m !== null);
      const what = missing.length > 0 ? missing.join(" and ") : "contact methods and notification rules";
      return `PagerDuty cannot page you. In your PagerDuty profile, add ${what}, ${REPLY}.`;
    },
  },
  invitation_pending: {
    by: "colleague",
    task: () =>
      `You have not accepted your PagerDuty invitation. Accept it from the invitation email (or ask Support Operations to send it again), ${REPLY}.`,
  },
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

/**
 * What the person a finding names does about it, in plain words said to them ("Set `pagerduty.id: P1` in
 * your roster entry, then reply on the audit issue."); null for a finding the schedule's owner fixes.
 */
export function colleagueTaskOf(finding: FindingFacts): string | null {
  const fixer = FINDING_FIXERS[finding.code];
  return fixer.by === "colleague" ? fixer.task(finding) : null;
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

/** The roster line a finding suggests, as it is typed (`pagerduty.id: P1`); null when it suggests none. */
export function suggestedRosterLineOf(evidence: Finding["evidence"]): string | null {
  const id = text(evidence.suggested_pagerduty_id);
  return id ? `pagerduty.id: ${id}` : null;
}
