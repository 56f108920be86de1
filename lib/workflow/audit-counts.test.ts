import { describe, expect, it } from "vitest";
import { countAudit, dueStateOf, type CountedItem } from "./audit-counts";
import { DEFAULT_WORKFLOW_SETTINGS } from "./types";

const NOW = new Date("2026-11-30T12:00:00Z");
const RUN_AT = "2026-11-24T12:00:00.000Z";

function itemOf(overrides: Partial<CountedItem> = {}): CountedItem {
  return {
    code: "missing_from_schedule",
    personKey: "amara@example.com",
    managerName: "Mia Chen",
    state: "open",
    stateChangedAt: RUN_AT,
    waivedUntil: null,
    repliedAt: null,
    ...overrides,
  };
}

/** A first run's findings: three people, one schedule that does not exist. */
const FIRST_RUN: CountedItem[] = [
  itemOf(),
  itemOf({ personKey: "bo@example.com", code: "invitation_pending" }),
  itemOf({ personKey: "bo@example.com", code: "missing_from_schedule" }),
  itemOf({ personKey: "cy@example.com", managerName: "Raj Patel", state: "pinged" }),
  itemOf({ personKey: null, managerName: null, code: "schedule_not_found" }),
];

function count(items: readonly CountedItem[], options: { judged?: boolean; signedOffAt?: string } = {}) {
  return countAudit({
    items,
    judged: options.judged ?? true,
    signedOffAt: options.signedOffAt ?? null,
    now: NOW,
    workflow: DEFAULT_WORKFLOW_SETTINGS,
  });
}

describe("countAudit: one definition of each number, per audit state", () => {
  it("before any run: nothing counted, and the phase says so rather than a zero reading as all clear", () => {
    const counts = count([], { judged: false });
    expect(counts).toMatchObject({
      phase: "not_run",
      found: 0,
      present: 0,
      addressed: 0,
      toAddress: 0,
      people: 0,
      overduePeople: 0,
    });
  });

  it("after a run that found nothing: judged, so all clear", () => {
    expect(count([]).phase).toBe("open");
  });

  it("after a run: every finding present and to address; the pinged one overdue after 72 h", () => {
    const counts = count(FIRST_RUN);
    expect(counts).toMatchObject({
      phase: "open",
      found: 5,
      present: 5,
      fixed: 0,
      addressed: 0,
      toAddress: 5,
      people: 3,
      overduePeople: 1,
      overdueByManager: [{ manager: "Raj Patel", people: 1 }],
    });
    expect(counts.byCode).toMatchObject({
      missing_from_schedule: 3,
      invitation_pending: 1,
      schedule_not_found: 1,
    });
    expect(Object.values(counts.byCode).reduce((a, b) => a + b, 0)).toBe(counts.present);
    expect(counts.byStatus).toMatchObject({ open: 4, follow_up_due: 1 });
  });

  it("after a re-run that fixed one: present is the run's count, the fixed one addressed, not a finding", () => {
    const items = FIRST_RUN.map((item, i) => (i === 0 ? { ...item, state: "fixed" as const } : item));
    const counts = count(items);
    expect(counts).toMatchObject({ found: 5, present: 4, fixed: 1, addressed: 1, toAddress: 4 });
    // Amara's only finding is fixed: she is no longer among the people with findings.
    expect(counts.people).toBe(2);
    expect(counts.byCode.missing_from_schedule).toBe(2);
    expect(Object.values(counts.byCode).reduce((a, b) => a + b, 0)).toBe(counts.present);
    expect(Object.values(counts.byStatus).reduce((a, b) => a + b, 0)).toBe(counts.found);
  });

  it("after an incomplete re-run: what it could not read is still present, and counted as unchecked", () => {
    const items = FIRST_RUN.map((item, i) => ({ ...item, lastSeenRunId: i < 3 ? "run-2" : "run-1" }));
    // run-2 read three of the five findings again; the other two it could not judge (nor fix).
    expect(
      countAudit({
        items,
        judged: true,
        incompleteRunId: "run-2",
        signedOffAt: null,
        now: NOW,
        workflow: DEFAULT_WORKFLOW_SETTINGS,
      }),
    ).toMatchObject({ present: 5, unchecked: 2 });
    // After a complete run nothing is unchecked: what it did not find, it fixed.
    expect(count(items).unchecked).toBe(0);
  });

  it("after sign-off: counted at the sign-off, nobody overdue, a later waiver end reopens nothing", () => {
    const items = [
      itemOf({ state: "fixed" }),
      itemOf({ personKey: "bo@example.com", state: "intentional" }),
      itemOf({ personKey: "cy@example.com", state: "waived", waivedUntil: "2026-11-28" }),
      // Left open by an override reason, and long past its follow-up.
      itemOf({ personKey: "di@example.com", state: "pinged", stateChangedAt: "2026-11-01T00:00:00.000Z" }),
    ];
    const counts = count(items, { signedOffAt: "2026-11-26T09:00:00.000Z" });
    expect(counts).toMatchObject({
      phase: "signed_off",
      asOf: "2026-11-26T09:00:00.000Z",
      fixed: 1,
      intentional: 1,
      waived: 1,
      addressed: 3,
      toAddress: 1,
      overduePeople: 0,
      overdueByManager: [],
    });
    // The same items while still open, after the waiver ended: it is to address again.
    expect(count(items)).toMatchObject({ phase: "open", waived: 0, toAddress: 2, overduePeople: 1 });
  });

  it("orders managers by people overdue, then name, the roster's missing manager last", () => {
    const old = "2026-11-01T00:00:00.000Z";
    const counts = count([
      itemOf({ personKey: "a", managerName: null, state: "pinged", stateChangedAt: old }),
      itemOf({ personKey: "b", managerName: "Zoe", state: "pinged", stateChangedAt: old }),
      itemOf({ personKey: "c", managerName: "Ann", state: "pinged", stateChangedAt: old }),
      itemOf({ personKey: "d", managerName: "Zoe", state: "pinged", stateChangedAt: old }),
      itemOf({ personKey: "e", managerName: "Bob", state: "pinged", stateChangedAt: NOW.toISOString() }),
    ]);
    expect(counts.overdueByManager).toEqual([
      { manager: "Zoe", people: 2 },
      { manager: "Ann", people: 1 },
      { manager: null, people: 1 },
    ]);
    expect(counts.overduePeople).toBe(4);
  });
});

describe("dueStateOf", () => {
  it.each([
    { exists: false, overdue: false, status: null, state: "not_opened" },
    { exists: false, overdue: true, status: null, state: "overdue" },
    { exists: true, overdue: false, status: "open", state: "open" },
    { exists: true, overdue: true, status: "in_review", state: "overdue" },
    // Signed off after its due day: the schedule no longer calls it overdue, and the card says signed off.
    { exists: true, overdue: false, status: "signed_off", state: "signed_off" },
  ])("$status, overdue $overdue → $state", ({ exists, overdue, status, state }) => {
    expect(dueStateOf({ exists, overdue }, status)).toBe(state);
  });
});
