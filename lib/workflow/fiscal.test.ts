import { describe, expect, it } from "vitest";
import {
  auditPeriodOf,
  auditPeriodName,
  auditSchedule,
  currentAuditPeriod,
  fiscalPeriodOf,
  isAuditQuarter,
  nextAuditPeriod,
  parseAuditPeriodName,
  scheduledOpeningOf,
} from "./fiscal";
import type { WorkCalendar } from "./working-time";

describe("fiscalPeriodOf", () => {
  // [moment, fiscal year, quarter, start, end]
  const cases: [string, number, number, string, string][] = [
    ["2026-01-31T23:59:59.999Z", 2026, 4, "2025-11-01", "2026-01-31"],
    ["2026-02-01T00:00:00.000Z", 2027, 1, "2026-02-01", "2026-04-30"],
    ["2026-04-30T23:59:59.999Z", 2027, 1, "2026-02-01", "2026-04-30"],
    ["2026-05-01T00:00:00.000Z", 2027, 2, "2026-05-01", "2026-07-31"],
    ["2026-07-31T23:59:59.999Z", 2027, 2, "2026-05-01", "2026-07-31"],
    ["2026-08-01T00:00:00.000Z", 2027, 3, "2026-08-01", "2026-10-31"],
    ["2026-10-31T23:59:59.999Z", 2027, 3, "2026-08-01", "2026-10-31"],
    ["2026-11-01T00:00:00.000Z", 2027, 4, "2026-11-01", "2027-01-31"],
    // Calendar year rollover inside Q4: same fiscal year on both sides of 1 January.
    ["2026-12-31T23:59:59.999Z", 2027, 4, "2026-11-01", "2027-01-31"],
    ["2027-01-01T00:00:00.000Z", 2027, 4, "2026-11-01", "2027-01-31"],
    ["2027-02-01T00:00:00.000Z", 2028, 1, "2027-02-01", "2027-04-30"],
    // Leap years: 29 February sits in Q1; quarter ends never move.
    ["2024-02-29T12:00:00.000Z", 2025, 1, "2024-02-01", "2024-04-30"],
    ["2000-02-29T00:00:00.000Z", 2001, 1, "2000-02-01", "2000-04-30"],
    ["2024-01-31T12:00:00.000Z", 2024, 4, "2023-11-01", "2024-01-31"],
    // UTC, not local time: 23:30 on 31 January in New York is already 1 February UTC.
    ["2026-01-31T23:30:00-05:00", 2027, 1, "2026-02-01", "2026-04-30"],
    ["2026-02-01T00:30:00+01:00", 2026, 4, "2025-11-01", "2026-01-31"],
  ];
  it.each(cases)("%s is FY%s Q%s (%s – %s)", (moment, fiscalYear, quarter, start, end) => {
    expect(fiscalPeriodOf(new Date(moment))).toEqual({ fiscalYear, quarter, start, end });
  });

  it("refuses an invalid date", () => {
    expect(() => fiscalPeriodOf(new Date("not a date"))).toThrow(RangeError);
  });
});

describe("audit period names", () => {
  it.each([
    [2027, 1, "FY27-Q1"],
    [2027, 3, "FY27-Q3"],
    [2005, 3, "FY05-Q3"],
    [2000, 1, "FY00-Q1"],
    [2099, 4, "FY99-Q4"],
  ] as const)("FY %s Q%s is named %s and parses back", (fiscalYear, quarter, name) => {
    expect(auditPeriodName(fiscalYear, quarter)).toBe(name);
    expect(parseAuditPeriodName(name)).toEqual({ fiscalYear, quarter });
  });

  it.each([1999, 2100, 27, 2027.5])("has no name for fiscal year %s", (fiscalYear) => {
    expect(() => auditPeriodName(fiscalYear, 1)).toThrow(RangeError);
  });

  it.each([
    "FY27-Q0",
    "FY27-Q5",
    "fy27-q1",
    "FY2027-Q1",
    "FY7-Q1",
    " FY27-Q1",
    "FY27-Q1 ",
    "FY27Q1",
    "",
    "FY27-Q1x",
  ])("does not parse %j", (name) => {
    expect(parseAuditPeriodName(name)).toBeNull();
  });

  it("parses every quarter but only Q1 and Q3 are audit quarters", () => {
    expect(parseAuditPeriodName("FY27-Q2")).toEqual({ fiscalYear: 2027, quarter: 2 });
    expect([1, 2, 3, 4].filter(isAuditQuarter)).toEqual([1, 3]);
  });
});

describe("currentAuditPeriod and nextAuditPeriod", () => {
  // [now, current name, opens, due, next name, next opens]
  const cases: [string, string, string, string, string, string][] = [
    ["2026-11-24T10:00:00Z", "FY27-Q3", "2026-08-01", "2026-10-31", "FY28-Q1", "2027-02-01"],
    ["2027-02-10T10:00:00Z", "FY28-Q1", "2027-02-01", "2027-04-30", "FY28-Q3", "2027-08-01"],
    ["2026-02-01T00:00:00Z", "FY27-Q1", "2026-02-01", "2026-04-30", "FY27-Q3", "2026-08-01"],
    ["2026-01-31T23:59:59Z", "FY26-Q3", "2025-08-01", "2025-10-31", "FY27-Q1", "2026-02-01"],
    // Q2 still belongs to Q1's audit; the Q3 audit opens on 1 August.
    ["2026-07-31T23:59:59Z", "FY27-Q1", "2026-02-01", "2026-04-30", "FY27-Q3", "2026-08-01"],
    ["2026-08-01T00:00:00Z", "FY27-Q3", "2026-08-01", "2026-10-31", "FY28-Q1", "2027-02-01"],
    ["2027-01-31T23:59:59Z", "FY27-Q3", "2026-08-01", "2026-10-31", "FY28-Q1", "2027-02-01"],
  ];
  it.each(cases)("at %s the audit is %s, the next %s", (now, name, opensOn, dueOn, nextName, nextOpensOn) => {
    const current = currentAuditPeriod(new Date(now));
    expect(current).toEqual({
      name,
      fiscalYear: parseAuditPeriodName(name)?.fiscalYear,
      quarter: parseAuditPeriodName(name)?.quarter,
      opensOn,
      dueOn,
    });
    const next = nextAuditPeriod(new Date(now));
    expect(next.name).toBe(nextName);
    expect(next.opensOn).toBe(nextOpensOn);
    expect(Date.parse(next.opensOn)).toBeGreaterThan(Date.parse(now));
  });
});

describe("auditSchedule", () => {
  it.each([
    ["due day itself, not signed off", "2026-10-31T23:59:59Z", [], [], false, false],
    ["day after the due day", "2026-11-01T00:00:00Z", ["FY27-Q3"], [], true, true],
    ["overdue unless signed off", "2026-11-24T10:00:00Z", ["FY27-Q1", "FY27-Q3"], ["FY27-Q3"], true, false],
    ["only an older audit signed off", "2026-11-24T10:00:00Z", ["FY27-Q1"], ["FY27-Q1"], false, true],
    ["first day of Q1", "2027-02-01T00:00:00Z", ["FY27-Q3", "junk"], [], false, false],
  ] as const)("%s", (_label, now, names, signedOff, exists, overdue) => {
    const schedule = auditSchedule(new Date(now), names, signedOff);
    expect(schedule.exists).toBe(exists);
    expect(schedule.overdue).toBe(overdue);
    expect(schedule.current).toEqual(currentAuditPeriod(new Date(now)));
    expect(schedule.next).toEqual(nextAuditPeriod(new Date(now)));
  });
});

describe("scheduledOpeningOf", () => {
  const london: WorkCalendar = {
    mode: "working_days",
    zone: "Europe/London",
    workingDays: [1, 2, 3, 4, 5],
    dayStart: "09:00",
    dayEnd: "17:00",
    holidays: [],
  };

  it("opens Q3 at 09:00 local on the first working day: 1 August 2026 is a Saturday, so Monday the 3rd", () => {
    expect(scheduledOpeningOf(new Date("2026-08-02T12:00:00Z"), london)).toEqual({
      period: auditPeriodOf(2027, 3),
      at: new Date("2026-08-03T08:00:00Z"), // 09:00 BST
    });
  });

  it("skips a holiday on the first working day, and counts in the calendar's zone", () => {
    const opening = scheduledOpeningOf(new Date("2026-08-20T00:00:00Z"), {
      ...london,
      holidays: ["2026-08-03"],
    });
    expect(opening?.at).toEqual(new Date("2026-08-04T08:00:00Z"));
    const tokyo = scheduledOpeningOf(new Date("2027-02-05T00:00:00Z"), { ...london, zone: "Asia/Tokyo" });
    // 1 February 2027 is a Monday: 09:00 in Tokyo is midnight UTC.
    expect(tokyo).toEqual({ period: auditPeriodOf(2028, 1), at: new Date("2027-02-01T00:00:00Z") });
  });

  it("opens nothing in Q2 or Q4: an audit not opened in its own quarter is a person's decision", () => {
    expect(scheduledOpeningOf(new Date("2026-06-10T12:00:00Z"), london)).toBeNull();
    expect(scheduledOpeningOf(new Date("2026-11-24T12:00:00Z"), london)).toBeNull();
  });
});
