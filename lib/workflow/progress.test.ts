import { describe, expect, it } from "vitest";
import { burnDownOf, daysBetween, trendOf, type FindingGroupInput } from "./progress";

describe("daysBetween", () => {
  it.each([
    { from: "2026-11-24", to: "2026-11-26", days: ["2026-11-24", "2026-11-25", "2026-11-26"] },
    { from: "2026-11-24", to: "2026-11-24", days: ["2026-11-24"] },
    // Across a month's end and a daylight-saving change elsewhere: UTC days only.
    { from: "2026-10-31", to: "2026-11-01", days: ["2026-10-31", "2026-11-01"] },
    { from: "2026-11-24", to: "2026-11-20", days: ["2026-11-24"] },
  ])("$from → $to", ({ from, to, days }) => {
    expect(daysBetween(from, to)).toEqual(days);
  });
});

describe("burnDownOf", () => {
  it("carries each day's findings forward, quiet days included", () => {
    const days = burnDownOf(
      [
        { day: "2026-11-24", detected: 19, entered: 19, left: 0 },
        { day: "2026-11-26", detected: 0, entered: 0, left: 3 },
        { day: "2026-11-27", detected: 1, entered: 2, left: 0 },
      ],
      [],
      "2026-11-24",
      "2026-11-28",
    );
    expect(days).toEqual([
      { day: "2026-11-24", found: 19, addressed: 0, remaining: 19 },
      { day: "2026-11-25", found: 19, addressed: 0, remaining: 19 },
      { day: "2026-11-26", found: 19, addressed: 3, remaining: 16 },
      // One new finding, and one fixed one back (recurred).
      { day: "2026-11-27", found: 20, addressed: 2, remaining: 18 },
      { day: "2026-11-28", found: 20, addressed: 2, remaining: 18 },
    ]);
  });

  it("counts a waiver that ran out on the day it ended, with no event to say so", () => {
    const days = burnDownOf(
      [
        { day: "2026-11-24", detected: 2, entered: 2, left: 0 },
        { day: "2026-11-25", detected: 0, entered: 0, left: 1 },
      ],
      [{ day: "2026-11-27", count: 1 }],
      "2026-11-24",
      "2026-11-27",
    );
    expect(days.map((d) => d.remaining)).toEqual([2, 1, 1, 2]);
  });

  it("folds changes before the first day into it and leaves out those after the last", () => {
    const days = burnDownOf(
      [
        { day: "2026-11-20", detected: 4, entered: 4, left: 0 },
        { day: "2026-11-30", detected: 0, entered: 0, left: 4 },
      ],
      [],
      "2026-11-24",
      "2026-11-25",
    );
    expect(days).toEqual([
      { day: "2026-11-24", found: 4, addressed: 0, remaining: 4 },
      { day: "2026-11-25", found: 4, addressed: 0, remaining: 4 },
    ]);
  });
});

describe("trendOf", () => {
  const AUDITS = [
    { id: "a1", name: "FY27-Q1" },
    { id: "a3", name: "FY27-Q3" },
    { id: "b1", name: "FY28-Q1" },
  ];
  const group = (overrides: Partial<FindingGroupInput> & Pick<FindingGroupInput, "auditId">) => ({
    code: "missing_from_schedule" as const,
    personKey: "amara@example.com",
    scheduleId: "PSCHED1",
    count: 1,
    ...overrides,
  });

  it("splits each audit's findings into new and recurring, and counts the previous audit's fixed", () => {
    const trend = trendOf(AUDITS, [
      group({ auditId: "a1" }),
      group({ auditId: "a1", personKey: "bo@example.com", code: "invitation_pending" }),
      group({ auditId: "a1", personKey: null, scheduleId: "PGONE01", code: "schedule_not_found" }),
      // Amara again, on two schedules now: both findings recur (same person, same code).
      group({ auditId: "a3", scheduleId: "PSCHED1" }),
      group({ auditId: "a3", scheduleId: "PSCHED2" }),
      // Bo's invitation was accepted; a new person's was not.
      group({ auditId: "a3", personKey: "cy@example.com", code: "invitation_pending" }),
      // The missing schedule is still missing.
      group({ auditId: "a3", personKey: null, scheduleId: "PGONE01", code: "schedule_not_found" }),
    ]);
    expect(trend.map((t) => [t.name, t.compared, t.total])).toEqual([
      ["FY27-Q1", false, { new: 3, recurring: 0, fixed: 0 }],
      ["FY27-Q3", true, { new: 1, recurring: 3, fixed: 1 }],
      // Nothing found yet in the newest audit: everything of the one before counts as fixed.
      ["FY28-Q1", true, { new: 0, recurring: 0, fixed: 4 }],
    ]);
    expect(trend[1]?.byCode.missing_from_schedule).toEqual({ new: 0, recurring: 2, fixed: 0 });
    expect(trend[1]?.byCode.invitation_pending).toEqual({ new: 1, recurring: 0, fixed: 1 });
    expect(trend[1]?.byCode.schedule_not_found).toEqual({ new: 0, recurring: 1, fixed: 0 });
  });

  it("knows a person by their key, never their name: a renamed person is the same person", () => {
    // Display names are not an input at all; the same key in both audits is recurring.
    const trend = trendOf(AUDITS.slice(0, 2), [
      group({ auditId: "a1", personKey: "p1", count: 2 }),
      group({ auditId: "a3", personKey: "p2" }),
    ]);
    expect(trend[1]?.total).toEqual({ new: 1, recurring: 0, fixed: 2 });
  });
});
