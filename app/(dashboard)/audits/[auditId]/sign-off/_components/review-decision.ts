/**
 * The reviewer's one decision on the sign-off page, as data: approve (sign off) or request changes (send
 * back), sharing one comment box whose meaning follows the choice. Pure, for the form and its tests.
 */
import { JUSTIFICATION_MIN_LENGTH } from "@/lib/workflow/types";
import { visibleLength } from "@/lib/workflow/visible-text";

export const DECISIONS = ["approve", "request_changes"] as const;
export type Decision = (typeof DECISIONS)[number];

export interface DecisionInput {
  decision: Decision;
  comment: string;
  status: "open" | "in_review";
  /** Findings not addressed: approving them needs the comment as the override reason. */
  unaddressed: number;
  may: { signOff: boolean; sendBack: boolean };
}

export interface DecisionView {
  /** Which choices are offered: approving to who may sign off; changes also only while in review. */
  choices: Record<Decision, boolean>;
  submitLabel: string;
  /**
   * Why the decision cannot be sent as it stands, shown under the comment box when the reviewer presses
   * the (always enabled) button; null when it can be sent.
   */
  problem: string | null;
  /** The decision needs the comment (requesting changes; approving with findings unaddressed). */
  commentNeeded: boolean;
  /** Approving with every finding addressed: the comment is not sent, so it is not offered. */
  commentDisabled: boolean;
  /** What the comment box says it is for. */
  hint: string;
  /** The comment as sent with the decision (trimmed); null when the decision sends none. */
  sent: string | null;
}

/** What the form shows and sends for `input`; the server checks everything again. */
export function decisionView(input: DecisionInput): DecisionView {
  const length = visibleLength(input.comment);
  const longEnough = length >= JUSTIFICATION_MIN_LENGTH;
  const soFar = `at least ${JUSTIFICATION_MIN_LENGTH} characters; ${length} so far`;
  const tooShort = (what: string) =>
    `${what}: at least ${JUSTIFICATION_MIN_LENGTH} characters (${length} so far).`;
  const choices = {
    approve: input.may.signOff,
    request_changes: input.may.sendBack && input.status === "in_review",
  };
  if (input.decision === "request_changes") {
    return {
      choices,
      submitLabel: "Request changes",
      problem: !choices.request_changes
        ? "Only an audit submitted for review can be sent back."
        : longEnough
          ? null
          : tooShort("Say what needs doing"),
      commentNeeded: true,
      commentDisabled: false,
      hint: `What needs doing, for Support Operations (${soFar}). Posted on the audit issue when there is one.`,
      sent: input.comment.trim(),
    };
  }
  const override = input.unaddressed > 0;
  return {
    choices,
    submitLabel: "Sign off",
    problem: !choices.approve
      ? "Only the Support Operations Manager signs the audit off."
      : override && !longEnough
        ? tooShort("Give the override reason")
        : null,
    commentNeeded: override,
    commentDisabled: !override,
    hint: override
      ? `${input.unaddressed} finding(s) are not addressed: your comment is the override reason, kept in the record (${soFar}).`
      : "Every finding is addressed: no comment is needed to approve.",
    sent: override ? input.comment.trim() : null,
  };
}
