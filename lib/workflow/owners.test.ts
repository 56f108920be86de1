import { describe, expect, it } from "vitest";
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";
import { CHASE_ACTIONS } from "./chase";
import {
  colleagueTaskOf,
  FINDING_FIXERS,
  isColleagueFinding,
  scheduleOwnerTaskOf,
  suggestedRosterLineOf,
  type FindingFacts,
} from "./owners";
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

describe("what the person a finding names does, in plain words said to them", () => {
  const facts = (
    code: FindingCode,
    evidence: FindingFacts["evidence"],
    extra: Partial<FindingFacts> = {},
  ) => ({
    code,
    evidence,
    scheduleName: null,
    scheduleId: null,
    rotation: null,
    ...extra,
  });

  it.each([
    {
      name: "a missing ID with a user of the same email: the ID to set",
      finding: facts("missing_pagerduty_id", { roster_email: "a@x.io", suggested_pagerduty_id: "PTSLGYU" }),
      says: /^Your roster entry has no PagerDuty ID\. Set `pagerduty\.id: PTSLGYU` in your roster entry .*, then reply on the audit issue\.$/,
    },
    {
      name: "a missing ID without a suggestion: where to find one",
      finding: facts("missing_pagerduty_id", { roster_email: "a@x.io", suggested_pagerduty_id: null }),
      says: /Find your PagerDuty user ID .* set `pagerduty\.id: <that ID>` in your roster entry, then reply/,
    },
    {
      name: "an unknown ID: which one, and the one to set",
      finding: facts("unknown_pagerduty_id", {
        roster_pagerduty_id: "PTYPO01",
        suggested_pagerduty_id: "PREAL01",
      }),
      says: /^PagerDuty has no user `PTYPO01`\. Set `pagerduty\.id: PREAL01`/,
    },
    {
      name: "a shared ID: with whom",
      finding: facts("duplicate_pagerduty_id", {
        roster_pagerduty_id: "PSHARED",
        also_used_by: ["Sean Murphy"],
      }),
      says: /gives the PagerDuty ID `PSHARED` that Sean Murphy's entry also gives\. .*if it is not you, set your own ID in `pagerduty\.id`/,
    },
    {
      name: "missing from a rotation's schedules: the rotation by name",
      finding: facts(
        "missing_from_schedule",
        { schedules: ["P1"] },
        { rotation: "ceoc-apac", rotationName: "CEOC APAC" },
      ),
      says: /^The roster puts you in the CEOC APAC rotation, but you are on none of its schedules\./,
    },
    {
      name: "missing from a rotation's schedules without the config: the rotation's id",
      finding: facts("missing_from_schedule", {}, { rotation: "ceoc-apac" }),
      says: /^The roster puts you in the `ceoc-apac` rotation/,
    },
    {
      name: "on a schedule the roster does not put them on: the schedule by name",
      finding: facts(
        "unexpected_in_schedule",
        { pagerduty_id: "P1" },
        { scheduleId: "PSCHED1", scheduleName: "CEOC EMEA" },
      ),
      says: /^You are on CEOC EMEA in PagerDuty, but your roster entry does not put you in its rotation\./,
    },
    {
      name: "emails that differ: both",
      finding: facts("email_mismatch", {
        roster_email: "b.souza@x.io",
        pagerduty_email: "bsouza@x.io",
        pagerduty_id: "P1",
      }),
      says: /^Your roster email `b\.souza@x\.io` and your PagerDuty email `bsouza@x\.io` differ\./,
    },
    {
      name: "not pageable without rules only: only what is missing",
      finding: facts("not_pageable", { pagerduty_id: "P1", contact_methods: 1, notification_rules: 0 }),
      says: /^PagerDuty cannot page you\. In your PagerDuty profile, add a notification rule, then reply/,
    },
    {
      name: "not pageable without either: both",
      finding: facts("not_pageable", { pagerduty_id: "P1", contact_methods: 0, notification_rules: 0 }),
      says: /add a contact method \(your phone or email\) and a notification rule,/,
    },
    {
      name: "an invitation not accepted",
      finding: facts("invitation_pending", { pagerduty_id: "P1" }),
      says: /^You have not accepted your PagerDuty invitation\./,
    },
  ])("$name", ({ finding, says }) => {
    expect(colleagueTaskOf(finding)).toMatch(says);
  });

  it("every colleague's code has a text that speaks to them and ends by replying; owners' codes have none", () => {
    for (const code of FINDING_CODES) {
      const task = colleagueTaskOf(facts(code, {}));
      if (isColleagueFinding(code)) {
        expect(task).toMatch(/\byour?\b/i);
        expect(task).toMatch(/reply on the audit issue\.$/);
        expect(task).not.toMatch(/\b(they|their|them)\b/);
      } else {
        expect(task).toBeNull();
      }
    }
  });
});

describe("the roster line a finding suggests", () => {
  it.each<[FindingFacts["evidence"], string | null]>([
    [{ suggested_pagerduty_id: "PTSLGYU" }, "pagerduty.id: PTSLGYU"],
    [{ suggested_pagerduty_id: null }, null],
    [{ suggested_pagerduty_id: " " }, null],
    [{ pagerduty_id: "P1" }, null],
  ])("%j → %s", (evidence, line) => {
    expect(suggestedRosterLineOf(evidence)).toBe(line);
  });
});
