import { describe, expect, it } from "vitest";
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";
import { CHASE_ACTIONS } from "./chase";
import { FINDING_FIXERS, isColleagueFinding, scheduleOwnerTaskOf } from "./owners";
import { applyUserAction, deriveStatus, summarizePerson } from "./rules";
import type { ItemState, ItemWorkflowFields } from "./types";
import { DEFAULT_WORKFLOW_SETTINGS } from "./types";

const HOUR = 60 * 60 * 1000;
const NOW = new Date("2026-11-24T09:00:00.000Z");
const SETTINGS = DEFAULT_WORKFLOW_SETTINGS;
const SCHEDULE_OWNED: FindingCode[] = ["not_in_roster", "deleted_user_in_schedule", "schedule_not_found"];

function itemOf(code: FindingCode, state: ItemState, hoursAgo = 100): ItemWorkflowFields {
  return {
    code,
    state,
    stateChangedAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
    waivedUntil: null,
    repliedAt: null,
  };
}

describe("who fixes a finding", () => {
  it("the schedule's owner fixes what no colleague can; everything else is the colleague's", () => {
    expect(FINDING_CODES.filter((code) => !isColleagueFinding(code))).toEqual(SCHEDULE_OWNED);
    for (const code of FINDING_CODES) {
      expect(scheduleOwnerTaskOf(code) === null).toBe(FINDING_FIXERS[code].by === "colleague");
    }
  });
});

describe.each(SCHEDULE_OWNED)("a %s finding is not chased", (code) => {
  it("open: no ping is due and no clock runs", () => {
    expect(deriveStatus(itemOf(code, "open"), NOW, SETTINGS)).toEqual({
      status: "open",
      nextAction: null,
      dueAt: null,
      overdue: false,
    });
  });

  it("pinged before this rule, long ago: never a follow-up due", () => {
    expect(deriveStatus(itemOf(code, "pinged", 500), NOW, SETTINGS)).toEqual({
      status: "pinged",
      nextAction: null,
      dueAt: null,
      overdue: false,
    });
  });

  it.each(CHASE_ACTIONS)("%s is refused with the reason", (action) => {
    const result = applyUserAction(itemOf(code, "open"), { type: action }, NOW, SETTINGS);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /: it is fixed in PagerDuty by the schedule's owner, not chased; the next run confirms the fix\.$/,
      ) as unknown,
    });
  });

  it("may be marked intentional or waived, as any finding", () => {
    const justification = "A contractor shadowing the rotation this quarter";
    const intentional = applyUserAction(
      itemOf(code, "open"),
      { type: "mark_intentional", justification },
      NOW,
      SETTINGS,
    );
    expect(intentional).toMatchObject({ ok: true, to: "intentional" });
    const waived = applyUserAction(
      itemOf(code, "open"),
      { type: "waive", until: "2026-12-31", justification },
      NOW,
      SETTINGS,
    );
    expect(waived).toMatchObject({ ok: true, to: "waived" });
  });

  it("a person's row with it and a colleague's finding: only the colleague's is chased", () => {
    const summary = summarizePerson(
      [itemOf(code, "pinged", 500), itemOf("missing_from_schedule", "pinged", 10)],
      NOW,
      SETTINGS,
    );
    expect(summary).toMatchObject({ nextAction: "escalate", overdue: false });
    expect(summary.counts.follow_up_due).toBe(0);
  });

  it("alone on a row: nothing due", () => {
    expect(summarizePerson([itemOf(code, "open")], NOW, SETTINGS)).toMatchObject({
      status: "open",
      nextAction: null,
      dueAt: null,
      overdue: false,
    });
  });
});

describe("a colleague's finding is chased as before", () => {
  it("open: ping now", () => {
    expect(deriveStatus(itemOf("missing_from_schedule", "open"), NOW, SETTINGS).nextAction).toBe("ping");
  });
});
