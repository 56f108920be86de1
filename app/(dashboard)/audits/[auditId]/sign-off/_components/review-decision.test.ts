import { describe, expect, it } from "vitest";
import { decisionView, type DecisionInput } from "./review-decision";

const REASON = "Open items are tracked in the Q4 onboarding epic.";

function viewOf(overrides: Partial<DecisionInput>) {
  return decisionView({
    decision: "approve",
    comment: "",
    status: "in_review",
    unaddressed: 0,
    may: { signOff: true, sendBack: true },
    ...overrides,
  });
}

describe("the reviewer's one decision: approve or request changes, with one comment", () => {
  it.each<[string, Partial<DecisionInput>, Partial<ReturnType<typeof decisionView>>]>([
    [
      "approving with every finding addressed needs no comment, and none is sent",
      {},
      { submitLabel: "Sign off", problem: null, commentNeeded: false, commentDisabled: true, sent: null },
    ],
    [
      "approving with findings unaddressed needs the comment as the override reason",
      { unaddressed: 3, comment: "too short" },
      {
        submitLabel: "Sign off",
        problem: "Give the override reason: at least 10 characters (9 so far).",
        commentNeeded: true,
        commentDisabled: false,
      },
    ],
    [
      "… and sends it once it is long enough",
      { unaddressed: 3, comment: `  ${REASON} ` },
      { problem: null, sent: REASON },
    ],
    [
      "invisible characters are no reason",
      { unaddressed: 3, comment: "\u200b".repeat(12) },
      { problem: "Give the override reason: at least 10 characters (0 so far)." },
    ],
    [
      "requesting changes needs the comment",
      { decision: "request_changes", comment: "" },
      {
        submitLabel: "Request changes",
        problem: "Say what needs doing: at least 10 characters (0 so far).",
        commentNeeded: true,
        commentDisabled: false,
      },
    ],
    [
      "… and sends it as written",
      { decision: "request_changes", comment: "Justify the two APAC waivers." },
      { problem: null, sent: "Justify the two APAC waivers." },
    ],
    [
      "an audit not submitted for review cannot be sent back",
      { decision: "request_changes", status: "open", comment: "Justify the two APAC waivers." },
      { problem: "Only an audit submitted for review can be sent back." },
    ],
  ])("%s", (_, input, expected) => {
    expect(viewOf(input)).toMatchObject(expected);
  });

  it("says in the hint what the comment is for, per decision", () => {
    expect(viewOf({ unaddressed: 3, comment: "abc" }).hint).toBe(
      "3 finding(s) are not addressed: your comment is the override reason, kept in the record (at least 10 characters; 3 so far).",
    );
    expect(viewOf({}).hint).toBe("Every finding is addressed: no comment is needed to approve.");
    expect(viewOf({ decision: "request_changes", comment: "abc" }).hint).toBe(
      "What needs doing, for Support Operations (at least 10 characters; 3 so far). Posted on the audit issue when there is one.",
    );
  });

  it("offers each choice only to who may take it, and changes only while in review", () => {
    expect(viewOf({}).choices).toEqual({ approve: true, request_changes: true });
    expect(viewOf({ status: "open" }).choices).toEqual({ approve: true, request_changes: false });
    expect(viewOf({ may: { signOff: false, sendBack: true } }).choices).toEqual({
      approve: false,
      request_changes: true,
    });
  });
});
