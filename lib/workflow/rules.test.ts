import { describe, expect, expectTypeOf, it } from "vitest";
import {
  applySystemAction,
  applyUserAction,
  canSignOff,
  deriveStatus,
  isAddressed,
  reconcileRun,
  summarizePerson,
} from "./rules";
import type { DerivedStatus } from "./rules";
import type {
  ItemState,
  ItemWorkflowFields,
  SystemAction,
  UserAction,
  UserActionInput,
  WorkflowSettings,
} from "./types";
import { DEFAULT_WORKFLOW_SETTINGS, SYSTEM_ACTIONS, USER_ACTIONS } from "./types";

const HOUR = 60 * 60 * 1000;
/** Tuesday 24 November 2026, 09:00 UTC. */
const NOW = new Date("2026-11-24T09:00:00.000Z");
const SETTINGS = DEFAULT_WORKFLOW_SETTINGS;

function at(iso: string): Date {
  return new Date(iso);
}

function hoursAgo(hours: number, from: Date = NOW): string {
  return new Date(from.getTime() - hours * HOUR).toISOString();
}

function itemOf(state: ItemState, fields: Partial<ItemWorkflowFields> = {}): ItemWorkflowFields {
  return { state, stateChangedAt: hoursAgo(120), waivedUntil: null, repliedAt: null, ...fields };
}

const JUSTIFICATION = "Shadowing the EMEA rotation until January";
const INPUTS: Record<UserAction, UserActionInput> = {
  ping: { type: "ping" },
  escalate: { type: "escalate" },
  record_dm: { type: "record_dm" },
  mark_intentional: { type: "mark_intentional", justification: JUSTIFICATION },
  waive: { type: "waive", until: "2026-12-31", justification: JUSTIFICATION },
  reopen: { type: "reopen" },
};

type Expected = { to: ItemState } | { refused: string };
const to = (state: ItemState): Expected => ({ to: state });
const no = (fragment: string): Expected => ({ refused: fragment });

interface Row {
  item: ItemWorkflowFields;
  expect: Record<UserAction | SystemAction, Expected>;
}

/** Every stored situation × every action: the state it moves to, or a fragment of the refusal. */
const TABLE: Record<string, Row> = {
  open: {
    item: itemOf("open"),
    expect: {
      ping: to("pinged"),
      escalate: no("Cannot escalate an item that is open: ping the person first."),
      record_dm: no("Cannot record a Slack DM for an item that is open: ping the person first."),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is open: only a fixed, intentional or waived item"),
      detected: no("already tracked (open)"),
      recurred: no("Cannot record a recurrence of an item that is open: only a fixed item recurs."),
      fixed_by_rerun: to("fixed"),
      still_present: to("open"),
    },
  },
  "pinged 10 h ago": {
    item: itemOf("pinged", { stateChangedAt: hoursAgo(10) }),
    expect: {
      ping: no("Cannot ping the person about an item that is pinged: the person has already been pinged"),
      escalate: no("Follow-up is due at 2026-11-26 23:00 UTC (in 62 h)."),
      record_dm: no("Cannot record a Slack DM for an item that is pinged: escalate it first."),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is pinged"),
      detected: no("already tracked (pinged)"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("pinged"),
    },
  },
  "pinged 80 h ago, no reply": {
    item: itemOf("pinged", { stateChangedAt: hoursAgo(80) }),
    expect: {
      ping: no("the person has already been pinged"),
      escalate: to("escalated"),
      record_dm: no("escalate it first"),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is pinged"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("pinged"),
    },
  },
  "pinged 80 h ago, replied 20 h ago": {
    item: itemOf("pinged", { stateChangedAt: hoursAgo(80), repliedAt: hoursAgo(20) }),
    expect: {
      // A reply stopped the clock; pinging again after reading it restarts it.
      ping: to("pinged"),
      escalate: no("The person replied on 2026-11-23 13:00 UTC; follow up with them instead."),
      record_dm: no("escalate it first"),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is pinged"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("pinged"),
    },
  },
  "escalated 10 h ago": {
    item: itemOf("escalated", { stateChangedAt: hoursAgo(10) }),
    expect: {
      ping: no("Cannot ping the person about an item that is escalated: it has already been escalated"),
      escalate: no("Cannot escalate an item that is escalated: it has already been escalated"),
      record_dm: no("The Slack DM is due at 2026-11-26 23:00 UTC (in 62 h)."),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is escalated"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("escalated"),
    },
  },
  "escalated 100 h ago, no reply": {
    item: itemOf("escalated", { stateChangedAt: hoursAgo(100) }),
    expect: {
      ping: no("it has already been escalated"),
      escalate: no("it has already been escalated"),
      record_dm: to("dm_sent"),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is escalated"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("escalated"),
    },
  },
  "escalated 100 h ago, replied 5 h ago": {
    item: itemOf("escalated", { stateChangedAt: hoursAgo(100), repliedAt: hoursAgo(5) }),
    expect: {
      ping: to("pinged"),
      escalate: no("it has already been escalated"),
      record_dm: no("The person replied on 2026-11-24 04:00 UTC; follow up with them instead."),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item that is escalated"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("escalated"),
    },
  },
  dm_sent: {
    item: itemOf("dm_sent"),
    expect: {
      ping: no("Cannot ping the person about an item whose Slack DM was already sent: the chase is complete"),
      escalate: no(
        "Cannot escalate an item whose Slack DM was already sent: the Slack DM has already been sent.",
      ),
      record_dm: no("Cannot record a Slack DM for an item whose Slack DM was already sent"),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: no("Cannot reopen an item whose Slack DM was already sent"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("dm_sent"),
    },
  },
  fixed: {
    item: itemOf("fixed"),
    expect: {
      ping: no("Cannot ping the person about an item that is fixed: reopen it first."),
      escalate: no("Cannot escalate an item that is fixed: it needs no follow-up."),
      record_dm: no("Cannot record a Slack DM for an item that is fixed: it needs no follow-up."),
      mark_intentional: no("Cannot mark an item that is fixed as intentional: reopen it first."),
      waive: no("Cannot waive an item that is fixed: reopen it first."),
      reopen: to("open"),
      detected: no("already tracked (fixed)"),
      recurred: to("open"),
      fixed_by_rerun: no("it is already fixed"),
      still_present: no("a fixed item found again has recurred"),
    },
  },
  intentional: {
    item: itemOf("intentional"),
    expect: {
      ping: no("Cannot ping the person about an item that is marked intentional: reopen it first."),
      escalate: no("it needs no follow-up"),
      record_dm: no("it needs no follow-up"),
      mark_intentional: no("Cannot mark an item that is marked intentional as intentional: it already is."),
      waive: no("Cannot waive an item that is marked intentional: reopen it first."),
      reopen: to("open"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("intentional"),
    },
  },
  "waived until 2027-01-15": {
    item: itemOf("waived", { waivedUntil: "2027-01-15" }),
    expect: {
      ping: no("Cannot ping the person about an item that is waived until 2027-01-15: reopen it first."),
      escalate: no("it needs no follow-up"),
      record_dm: no("it needs no follow-up"),
      mark_intentional: no("reopen it first"),
      waive: no("Cannot waive an item that is waived until 2027-01-15: reopen it first."),
      reopen: to("open"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("waived"),
    },
  },
  "waived until yesterday (expired)": {
    item: itemOf("waived", { waivedUntil: "2026-11-23" }),
    expect: {
      ping: to("pinged"),
      escalate: no("Cannot escalate an item whose waiver ended on 2026-11-23: ping the person first."),
      record_dm: no("ping the person first"),
      mark_intentional: to("intentional"),
      waive: to("waived"),
      reopen: to("open"),
      detected: no("already tracked"),
      recurred: no("only a fixed item recurs"),
      fixed_by_rerun: to("fixed"),
      still_present: to("waived"),
    },
  },
};

describe("every state × every action", () => {
  const cases = Object.entries(TABLE).flatMap(([label, row]) =>
    [...USER_ACTIONS, ...SYSTEM_ACTIONS].map((action) => ({
      label,
      row,
      action,
      expected: row.expect[action],
    })),
  );

  it.each(cases)("$label: $action", ({ row, action, expected }) => {
    const result = (USER_ACTIONS as readonly string[]).includes(action)
      ? applyUserAction(row.item, INPUTS[action as UserAction], NOW, SETTINGS)
      : applySystemAction(row.item, action as SystemAction, NOW);

    if ("refused" in expected) {
      expect(result).toEqual({ ok: false, reason: expect.stringContaining(expected.refused) });
      return;
    }
    if (!result.ok) throw new Error(`expected ${action} to be allowed, got: ${result.reason}`);
    expect(result.from).toBe(row.item.state);
    expect(result.to).toBe(expected.to);
    expect(result.next.state).toBe(expected.to);
    if (action === "still_present") {
      // Found again: nothing moves, so the timers keep counting from the original state change.
      expect(result.next).toEqual(row.item);
      return;
    }
    expect(result.next.stateChangedAt).toBe(NOW.toISOString());
    expect(result.next.waivedUntil).toBe(action === "waive" ? "2026-12-31" : null);
    expect(result.next.repliedAt).toBe(action === "ping" ? null : row.item.repliedAt);
  });

  it("covers every user action in the input type", () => {
    expectTypeOf<UserActionInput["type"]>().toEqualTypeOf<UserAction>();
  });
});

describe("applySystemAction on an item not tracked yet", () => {
  it("creates an open item when detected", () => {
    expect(applySystemAction(null, "detected", NOW)).toEqual({
      ok: true,
      from: null,
      to: "open",
      next: { state: "open", stateChangedAt: NOW.toISOString(), waivedUntil: null, repliedAt: null },
    });
  });

  it.each(["recurred", "fixed_by_rerun", "still_present"] as const)("refuses %s", (action) => {
    expect(applySystemAction(null, action, NOW)).toEqual({
      ok: false,
      reason: expect.stringContaining("not tracked yet"),
    });
  });
});

describe("timers", () => {
  const pingedAt = at("2026-11-24T09:00:00.000Z");
  const pinged = itemOf("pinged", { stateChangedAt: pingedAt.toISOString() });
  const escalated = itemOf("escalated", { stateChangedAt: pingedAt.toISOString() });
  const dueAt = "2026-11-27T09:00:00.000Z";

  // [label, item, now, settings, expected status]
  const cases: [string, ItemWorkflowFields, string, WorkflowSettings, DerivedStatus][] = [
    [
      "pinged 10 h ago",
      pinged,
      "2026-11-24T19:00:00.000Z",
      SETTINGS,
      { status: "pinged", nextAction: "escalate", dueAt, overdue: false },
    ],
    [
      "1 ms before the follow-up",
      pinged,
      "2026-11-27T08:59:59.999Z",
      SETTINGS,
      { status: "pinged", nextAction: "escalate", dueAt, overdue: false },
    ],
    [
      "exactly 72 h after the ping",
      pinged,
      dueAt,
      SETTINGS,
      { status: "follow_up_due", nextAction: "escalate", dueAt, overdue: true },
    ],
    [
      "pinged 80 h ago",
      pinged,
      "2026-11-27T17:00:00.000Z",
      SETTINGS,
      { status: "follow_up_due", nextAction: "escalate", dueAt, overdue: true },
    ],
    [
      "followUpHours 24",
      pinged,
      "2026-11-25T09:00:00.000Z",
      { ...SETTINGS, followUpHours: 24 },
      { status: "follow_up_due", nextAction: "escalate", dueAt: "2026-11-25T09:00:00.000Z", overdue: true },
    ],
    [
      "replied after the ping: the clock stops",
      { ...pinged, repliedAt: "2026-11-24T12:00:00.000Z" },
      "2026-12-10T00:00:00.000Z",
      SETTINGS,
      { status: "pinged", nextAction: null, dueAt: null, overdue: false },
    ],
    [
      "replied at the very moment of the ping",
      { ...pinged, repliedAt: pingedAt.toISOString() },
      "2026-12-10T00:00:00.000Z",
      SETTINGS,
      { status: "pinged", nextAction: null, dueAt: null, overdue: false },
    ],
    [
      "a reply from before the ping does not stop the clock",
      { ...pinged, repliedAt: "2026-11-20T12:00:00.000Z" },
      "2026-11-28T00:00:00.000Z",
      SETTINGS,
      { status: "follow_up_due", nextAction: "escalate", dueAt, overdue: true },
    ],
    [
      "escalated, 1 ms before the DM",
      escalated,
      "2026-11-27T08:59:59.999Z",
      SETTINGS,
      { status: "escalated", nextAction: "record_dm", dueAt, overdue: false },
    ],
    [
      "escalated exactly 72 h ago",
      escalated,
      dueAt,
      SETTINGS,
      { status: "dm_due", nextAction: "record_dm", dueAt, overdue: true },
    ],
    [
      "dmHours 48",
      escalated,
      "2026-11-26T09:00:00.000Z",
      { ...SETTINGS, dmHours: 48 },
      { status: "dm_due", nextAction: "record_dm", dueAt: "2026-11-26T09:00:00.000Z", overdue: true },
    ],
    [
      "escalated, then the person replied",
      { ...escalated, repliedAt: "2026-11-25T09:00:00.000Z" },
      "2026-12-10T00:00:00.000Z",
      SETTINGS,
      { status: "escalated", nextAction: null, dueAt: null, overdue: false },
    ],
    [
      "open",
      itemOf("open"),
      NOW.toISOString(),
      SETTINGS,
      { status: "open", nextAction: "ping", dueAt: null, overdue: false },
    ],
    [
      "DM sent: nothing left to chase",
      itemOf("dm_sent"),
      NOW.toISOString(),
      SETTINGS,
      { status: "dm_sent", nextAction: null, dueAt: null, overdue: false },
    ],
    [
      "waived until yesterday",
      itemOf("waived", { waivedUntil: "2026-11-23" }),
      NOW.toISOString(),
      SETTINGS,
      { status: "waiver_expired", nextAction: "ping", dueAt: null, overdue: false },
    ],
    [
      "waived until today: today it counts as open again",
      itemOf("waived", { waivedUntil: "2026-11-24" }),
      NOW.toISOString(),
      SETTINGS,
      { status: "waiver_expired", nextAction: "ping", dueAt: null, overdue: false },
    ],
    [
      "waived until tomorrow",
      itemOf("waived", { waivedUntil: "2026-11-25" }),
      NOW.toISOString(),
      SETTINGS,
      { status: "waived", nextAction: null, dueAt: null, overdue: false },
    ],
    [
      "waived with no end date counts as expired",
      itemOf("waived", { waivedUntil: null }),
      NOW.toISOString(),
      SETTINGS,
      { status: "waiver_expired", nextAction: "ping", dueAt: null, overdue: false },
    ],
  ];

  it.each(cases)("%s", (_label, item, now, settings, expected) => {
    expect(deriveStatus(item, at(now), settings)).toEqual(expected);
  });

  it.each([
    ["2026-11-25T16:00:00.000Z", "Follow-up is due at 2026-11-27 09:00 UTC (in 41 h)."],
    ["2026-11-25T16:30:00.000Z", "Follow-up is due at 2026-11-27 09:00 UTC (in 41 h)."],
    ["2026-11-27T08:59:59.999Z", "Follow-up is due at 2026-11-27 09:00 UTC (in 1 h)."],
  ])("escalating at %s is refused: %s", (now, reason) => {
    expect(applyUserAction(pinged, { type: "escalate" }, at(now), SETTINGS)).toEqual({ ok: false, reason });
  });

  it("escalates exactly when the follow-up becomes due", () => {
    const result = applyUserAction(pinged, { type: "escalate" }, at(dueAt), SETTINGS);
    expect(result).toMatchObject({ ok: true, to: "escalated", next: { stateChangedAt: dueAt } });
  });

  it("records the DM exactly when it becomes due, and not 1 ms before", () => {
    expect(applyUserAction(escalated, { type: "record_dm" }, at(dueAt), SETTINGS)).toMatchObject({
      ok: true,
      to: "dm_sent",
    });
    expect(
      applyUserAction(escalated, { type: "record_dm" }, at("2026-11-27T08:59:59.999Z"), SETTINGS),
    ).toEqual({
      ok: false,
      reason: "The Slack DM is due at 2026-11-27 09:00 UTC (in 1 h).",
    });
  });

  it("a ping clears an earlier reply, so the new follow-up clock runs", () => {
    const reopened = itemOf("open", { repliedAt: "2026-11-01T00:00:00.000Z" });
    const result = applyUserAction(reopened, { type: "ping" }, pingedAt, SETTINGS);
    if (!result.ok) throw new Error(result.reason);
    expect(result.next.repliedAt).toBeNull();
    expect(deriveStatus(result.next, at(dueAt), SETTINGS).status).toBe("follow_up_due");
  });

  it.each([
    [
      "pinged",
      itemOf("pinged", { stateChangedAt: pingedAt.toISOString(), repliedAt: "2026-11-25T09:00:00.000Z" }),
    ],
    [
      "escalated",
      itemOf("escalated", { stateChangedAt: pingedAt.toISOString(), repliedAt: "2026-11-25T09:00:00.000Z" }),
    ],
  ] as const)("a ping after a reply to the %s item restarts the follow-up clock", (_state, replied) => {
    const repingAt = at("2026-11-26T09:00:00.000Z");
    expect(deriveStatus(replied, repingAt, SETTINGS).nextAction).toBeNull();
    const result = applyUserAction(replied, { type: "ping" }, repingAt, SETTINGS);
    if (!result.ok) throw new Error(result.reason);
    expect(result.next).toMatchObject({
      state: "pinged",
      stateChangedAt: repingAt.toISOString(),
      repliedAt: null,
    });
    expect(deriveStatus(result.next, repingAt, SETTINGS)).toEqual({
      status: "pinged",
      nextAction: "escalate",
      dueAt: "2026-11-29T09:00:00.000Z",
      overdue: false,
    });
  });

  it("a ping is still refused while the person has not replied since the last step", () => {
    const replyBefore = itemOf("pinged", {
      stateChangedAt: pingedAt.toISOString(),
      repliedAt: "2026-11-20T00:00:00.000Z",
    });
    expect(applyUserAction(replyBefore, { type: "ping" }, at(dueAt), SETTINGS)).toEqual({
      ok: false,
      reason: expect.stringContaining("the person has already been pinged"),
    });
  });

  it.each([
    { ...SETTINGS, followUpHours: -1 },
    { ...SETTINGS, dmHours: Number.NaN },
    { ...SETTINGS, followUpHours: Number.POSITIVE_INFINITY },
    { ...SETTINGS, maxWaiverMonths: 0 },
    { ...SETTINGS, maxWaiverMonths: 1.5 },
  ])("refuses settings %j", (settings) => {
    expect(() => deriveStatus(pinged, NOW, settings)).toThrow(RangeError);
  });

  it("refuses a stored time that is not a date", () => {
    expect(() => deriveStatus(itemOf("pinged", { stateChangedAt: "yesterday" }), NOW, SETTINGS)).toThrow(
      /stateChangedAt/,
    );
  });
});

describe("justifications", () => {
  // [justification, expected: the stored text, or a fragment of the refusal]
  const cases: [string, { text: string } | { refused: string }][] = [
    ["", { refused: "A justification is required (at least 10 characters)." }],
    ["      \n\t ", { refused: "A justification is required" }],
    ["too short", { refused: "The justification is too short (9 characters); write at least 10." }],
    ["  1234567890  ", { text: "1234567890" }],
    ["   12345678 9  ", { text: "12345678 9" }],
    ["🙂".repeat(10), { text: "🙂".repeat(10) }],
    ["🙂".repeat(5), { refused: "too short (5 characters)" }],
    ["x".repeat(2000), { text: "x".repeat(2000) }],
    [` ${"x".repeat(2000)} `, { text: "x".repeat(2000) }],
    ["x".repeat(2001), { refused: "The justification is too long (2001 characters); keep it to 2000." }],
    ["\u200b".repeat(10), { refused: "A justification is required (at least 10 characters)." }],
    ["\u200b\u200d\u2060\ufeff\u202e\u2066\u00ad\u180e\u3164\u2800", { refused: "is required" }],
    [
      `ok${"\u200b".repeat(8)}`,
      { refused: "The justification is too short (2 characters); write at least 10." },
    ],
    ["a b \u00a0 c\u3000\u3000d\n\n\ne", { refused: "too short (9 characters)" }],
    ["On leave\u200b until January.", { text: "On leave\u200b until January." }],
  ];

  const actions = (justification: string): UserActionInput[] => [
    { type: "mark_intentional", justification },
    { type: "waive", until: "2027-01-31", justification },
  ];

  it.each(cases.flatMap(([text, expected]) => actions(text).map((action) => ({ action, expected }))))(
    "$action.type with $expected",
    ({ action, expected }) => {
      const result = applyUserAction(itemOf("pinged"), action, NOW, SETTINGS);
      if ("refused" in expected) {
        expect(result).toEqual({ ok: false, reason: expect.stringContaining(expected.refused) });
      } else {
        expect(result).toMatchObject({ ok: true, justification: expected.text });
      }
    },
  );

  it("records no justification for actions that take none", () => {
    expect(applyUserAction(itemOf("open"), { type: "ping" }, NOW, SETTINGS)).toMatchObject({
      ok: true,
      justification: null,
    });
  });
});

describe("waivers", () => {
  it.each([
    ["2026-11-25", { waivedUntil: "2026-11-25" }],
    [" 2027-06-30 ", { waivedUntil: "2027-06-30" }],
    ["2026-11-24", { refused: "The waiver must end after today (2026-11-24); 2026-11-24 is not." }],
    ["2026-11-01", { refused: "must end after today" }],
    ["2027-02-30", { refused: 'The waiver end must be a calendar date like 2027-01-31, not "2027-02-30".' }],
    ["2027-13-01", { refused: "calendar date" }],
    ["2026-11-30T00:00:00Z", { refused: "calendar date" }],
    ["30/11/2026", { refused: "calendar date" }],
    ["", { refused: "calendar date" }],
    ["2027-11-24", { waivedUntil: "2027-11-24" }],
    [
      "2027-11-25",
      {
        refused:
          "A waiver may end at most 12 months ahead, on 2027-11-24 at the latest; 2027-11-25 is later.",
      },
    ],
    ["9999-12-31", { refused: "at most 12 months ahead" }],
  ] as const)("until %j", (until, expected) => {
    const result = applyUserAction(
      itemOf("open"),
      { type: "waive", until, justification: JUSTIFICATION },
      NOW,
      SETTINGS,
    );
    if ("refused" in expected) {
      expect(result).toEqual({ ok: false, reason: expect.stringContaining(expected.refused) });
    } else {
      expect(result).toMatchObject({ ok: true, to: "waived", next: expected });
    }
  });

  it.each([
    // [now, maxWaiverMonths, last day allowed]
    ["2026-11-24T09:00:00Z", 3, "2027-02-24"],
    ["2026-11-24T23:59:59Z", 1, "2026-12-24"],
    ["2027-01-31T12:00:00Z", 1, "2027-02-28"],
    ["2027-08-31T00:00:00Z", 6, "2028-02-29"],
    ["2028-02-29T00:00:00Z", 12, "2029-02-28"],
    ["2026-11-24T09:00:00Z", 24, "2028-11-24"],
  ] as const)("from %s, %i month(s) ahead at most: until %s", (now, months, last) => {
    const settings = { ...SETTINGS, maxWaiverMonths: months };
    const waive = (until: string) =>
      applyUserAction(
        itemOf("open"),
        { type: "waive", until, justification: JUSTIFICATION },
        at(now),
        settings,
      );
    expect(waive(last)).toMatchObject({ ok: true, next: { waivedUntil: last } });
    const after = new Date(Date.parse(`${last}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
    expect(waive(after)).toEqual({
      ok: false,
      reason: `A waiver may end at most ${months} month${months === 1 ? "" : "s"} ahead, on ${last} at the latest; ${after} is later.`,
    });
  });

  it("holds until the end of the day before `until`, then the item is open again", () => {
    const result = applyUserAction(
      itemOf("pinged"),
      { type: "waive", until: "2026-11-26", justification: JUSTIFICATION },
      NOW,
      SETTINGS,
    );
    if (!result.ok) throw new Error(result.reason);
    const waived = result.next;
    const lastMoment = at("2026-11-25T23:59:59.999Z");
    const expiry = at("2026-11-26T00:00:00.000Z");

    expect(isAddressed(waived, lastMoment)).toBe(true);
    expect(canSignOff([waived], lastMoment)).toEqual({ ok: true });
    expect(deriveStatus(waived, lastMoment, SETTINGS).status).toBe("waived");
    expect(applyUserAction(waived, { type: "ping" }, lastMoment, SETTINGS)).toMatchObject({ ok: false });

    expect(isAddressed(waived, expiry)).toBe(false);
    expect(canSignOff([waived], expiry)).toEqual({ ok: false, unaddressed: 1 });
    expect(deriveStatus(waived, expiry, SETTINGS).status).toBe("waiver_expired");
    expect(applyUserAction(waived, { type: "ping" }, expiry, SETTINGS)).toMatchObject({
      ok: true,
      from: "waived",
      to: "pinged",
      next: { waivedUntil: null },
    });
  });
});

describe("isAddressed and canSignOff", () => {
  it.each([
    ["open", itemOf("open"), false],
    ["pinged", itemOf("pinged"), false],
    ["escalated", itemOf("escalated"), false],
    ["dm_sent", itemOf("dm_sent"), false],
    ["fixed", itemOf("fixed"), true],
    ["intentional", itemOf("intentional"), true],
    ["waived until next month", itemOf("waived", { waivedUntil: "2026-12-24" }), true],
    ["waived until yesterday", itemOf("waived", { waivedUntil: "2026-11-23" }), false],
  ] as const)("%s → addressed %s", (_label, item, addressed) => {
    expect(isAddressed(item, NOW)).toBe(addressed);
  });

  it.each([
    ["no items", [], { ok: true }],
    [
      "all addressed",
      [itemOf("fixed"), itemOf("intentional"), itemOf("waived", { waivedUntil: "2027-01-01" })],
      { ok: true },
    ],
    ["one open", [itemOf("fixed"), itemOf("open")], { ok: false, unaddressed: 1 }],
    [
      "an expired waiver and a DM sent",
      [itemOf("waived", { waivedUntil: "2026-11-01" }), itemOf("dm_sent"), itemOf("fixed")],
      { ok: false, unaddressed: 2 },
    ],
  ] as const)("%s", (_label, items, expected) => {
    expect(canSignOff(items, NOW)).toEqual(expected);
  });
});

describe("summarizePerson", () => {
  const zero = {
    open: 0,
    pinged: 0,
    escalated: 0,
    dm_sent: 0,
    fixed: 0,
    intentional: 0,
    waived: 0,
    follow_up_due: 0,
    dm_due: 0,
    waiver_expired: 0,
  };

  it.each([
    {
      label: "nothing to do: all addressed",
      items: [itemOf("fixed"), itemOf("intentional")],
      expected: {
        status: null,
        nextAction: null,
        dueAt: null,
        overdue: false,
        counts: { fixed: 1, intentional: 1 },
      },
    },
    {
      label: "all pinged together, waiting",
      items: [
        itemOf("pinged", { stateChangedAt: hoursAgo(10) }),
        itemOf("pinged", { stateChangedAt: hoursAgo(10) }),
      ],
      expected: {
        status: "pinged",
        nextAction: "escalate",
        dueAt: "2026-11-26T23:00:00.000Z",
        overdue: false,
        counts: { pinged: 2 },
      },
    },
    {
      label: "a new open item is less advanced than a follow-up due, but the overdue follow-up comes first",
      items: [itemOf("pinged", { stateChangedAt: hoursAgo(80) }), itemOf("open"), itemOf("fixed")],
      expected: {
        status: "open",
        nextAction: "escalate",
        dueAt: "2026-11-24T01:00:00.000Z",
        overdue: true,
        counts: { follow_up_due: 1, open: 1, fixed: 1 },
      },
    },
    {
      label: "a ping (due now) comes before a follow-up not yet due",
      items: [
        itemOf("escalated", { stateChangedAt: hoursAgo(1) }),
        itemOf("waived", { waivedUntil: "2026-11-01" }),
      ],
      expected: {
        status: "waiver_expired",
        nextAction: "ping",
        dueAt: null,
        overdue: false,
        counts: { escalated: 1, waiver_expired: 1 },
      },
    },
    {
      label: "the earliest of two timers",
      items: [
        itemOf("escalated", { stateChangedAt: hoursAgo(100) }),
        itemOf("pinged", { stateChangedAt: hoursAgo(75) }),
        itemOf("dm_sent"),
      ],
      expected: {
        status: "follow_up_due",
        nextAction: "record_dm",
        dueAt: "2026-11-23T05:00:00.000Z",
        overdue: true,
        counts: { dm_due: 1, follow_up_due: 1, dm_sent: 1 },
      },
    },
    {
      label: "a reply stops the only clock",
      items: [
        itemOf("pinged", { stateChangedAt: hoursAgo(90), repliedAt: hoursAgo(3) }),
        itemOf("waived", { waivedUntil: "2027-01-01" }),
      ],
      expected: {
        status: "pinged",
        nextAction: null,
        dueAt: null,
        overdue: false,
        counts: { pinged: 1, waived: 1 },
      },
    },
  ] as const)("$label", ({ items, expected }) => {
    expect(summarizePerson(items, NOW, SETTINGS)).toEqual({
      ...expected,
      counts: { ...zero, ...expected.counts },
    });
  });
});

describe("reconcileRun", () => {
  const pingedAt = hoursAgo(30);
  const existing = [
    { key: "a-open", fields: itemOf("open") },
    { key: "b-pinged", fields: itemOf("pinged", { stateChangedAt: pingedAt }) },
    { key: "c-fixed", fields: itemOf("fixed") },
    { key: "d-intentional", fields: itemOf("intentional") },
    { key: "e-waived", fields: itemOf("waived", { waivedUntil: "2027-01-01" }) },
    { key: "g-fixed-gone", fields: itemOf("fixed") },
  ];
  const found = ["a-open", "c-fixed", "f-new", "f-new"];

  it("a complete run creates, recurs and fixes", () => {
    const result = reconcileRun(existing, found, NOW, true);
    expect(result).toMatchObject({
      created: ["f-new"],
      recurred: ["c-fixed"],
      fixed: ["b-pinged", "d-intentional", "e-waived"],
      unchanged: ["a-open", "g-fixed-gone"],
    });
    expect(result.transitions.map((t) => `${t.key} ${t.action} ${t.from}→${t.to}`)).toEqual([
      "f-new detected null→open",
      "c-fixed recurred fixed→open",
      "b-pinged fixed_by_rerun pinged→fixed",
      "d-intentional fixed_by_rerun intentional→fixed",
      "e-waived fixed_by_rerun waived→fixed",
    ]);
    for (const transition of result.transitions) {
      expect(transition.next).toMatchObject({
        state: transition.to,
        stateChangedAt: NOW.toISOString(),
        waivedUntil: null,
      });
    }
  });

  it("an incomplete run creates and recurs but never fixes", () => {
    const result = reconcileRun(existing, found, NOW, false);
    expect(result).toMatchObject({
      created: ["f-new"],
      recurred: ["c-fixed"],
      fixed: [],
      unchanged: ["a-open", "b-pinged", "d-intentional", "e-waived", "g-fixed-gone"],
    });
    expect(result.transitions.map((t) => t.action)).toEqual(["detected", "recurred"]);
  });

  it("a run that finds nothing fixes everything unresolved only when complete", () => {
    expect(reconcileRun(existing, [], NOW, true).fixed).toHaveLength(4);
    expect(reconcileRun(existing, [], NOW, false).transitions).toEqual([]);
  });

  it("refuses a key listed twice", () => {
    expect(() => reconcileRun([existing[0]!, existing[0]!], [], NOW, true)).toThrow(/a-open is listed twice/);
  });
});
