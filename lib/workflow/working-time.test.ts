import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  addCountedHours,
  calendarProblem,
  DEFAULT_DAY_END,
  DEFAULT_DAY_START,
  DEFAULT_WORKING_DAYS,
  dueMoment,
  isKnownZone,
  nextWorkingMoment,
  type WorkCalendar,
} from "./working-time";

const berlin: WorkCalendar = {
  mode: "working_days",
  zone: "Europe/Berlin",
  workingDays: DEFAULT_WORKING_DAYS,
  dayStart: DEFAULT_DAY_START,
  dayEnd: DEFAULT_DAY_END,
  holidays: [],
};

/** An instant from a local wall time in the calendar's zone. */
const local = (text: string, zone = berlin.zone) => DateTime.fromISO(text, { zone }).toJSDate();
/** The local wall time of an instant, `YYYY-MM-DD HH:mm ccc`. */
const wall = (at: Date, zone = berlin.zone) =>
  DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd HH:mm ccc");

describe("counting hours over working days", () => {
  it("counts a Monday ping's 72 hours to Thursday, the same hour", () => {
    expect(wall(dueMoment(local("2026-12-07T10:00"), 72, berlin))).toBe("2026-12-10 10:00 Thu");
  });

  it("skips the weekend: a Friday 10:00 ping is due on Wednesday 10:00, not on Monday", () => {
    expect(wall(dueMoment(local("2026-12-04T10:00"), 72, berlin))).toBe("2026-12-09 10:00 Wed");
  });

  it("starts counting on Monday for a ping sent on a Saturday", () => {
    expect(wall(addCountedHours(local("2026-12-05T15:00"), 24, berlin))).toBe("2026-12-08 00:00 Tue");
  });

  it("skips the recipient's holidays", () => {
    const christmas = { ...berlin, holidays: ["2026-12-24", "2026-12-25"] };
    // Tue 22 10:00: 14 h of Tue, 24 of Wed 23 (38), Thu 24 and Fri 25 off, weekend off, Mon 28 until 10:00.
    expect(wall(dueMoment(local("2026-12-22T10:00"), 48, christmas))).toBe("2026-12-28 10:00 Mon");
  });

  it("never takes a step at 03:00 the recipient's time: it waits for their working day to start", () => {
    // Thu 20:00 + 72 h of working days is Tue 20:00, after hours: the step waits for Wed 09:00.
    const due = dueMoment(local("2026-12-03T20:00"), 72, berlin);
    expect(wall(due)).toBe("2026-12-09 09:00 Wed");
    // Before hours on a working day: the same day's start.
    expect(wall(nextWorkingMoment(local("2026-12-09T03:00"), berlin))).toBe("2026-12-09 09:00 Wed");
  });

  it("counts in the recipient's zone: a step sent at one instant falls due in each one's own working day", () => {
    const sent = new Date("2026-12-04T16:30:00Z"); // Friday: 17:30 Berlin, 11:30 New York, 01:30 Sat Tokyo
    const newYork = { ...berlin, zone: "America/New_York" };
    const tokyo = { ...berlin, zone: "Asia/Tokyo" };
    expect(wall(dueMoment(sent, 24, berlin))).toBe("2026-12-08 09:00 Tue");
    expect(wall(dueMoment(sent, 24, newYork), newYork.zone)).toBe("2026-12-07 11:30 Mon");
    // Tokyo: Saturday is not worked, so 24 hours run Monday 00:00 to Tuesday 00:00, then wait for 09:00.
    expect(wall(dueMoment(sent, 24, tokyo), tokyo.zone)).toBe("2026-12-08 09:00 Tue");
  });

  it("counts the real hours of a day that loses or gains one to a DST change", () => {
    const everyDay = { ...berlin, workingDays: [1, 2, 3, 4, 5, 6, 7], dayStart: "00:00", dayEnd: "23:59" };
    // 29 March 2026: Berlin clocks go 02:00 → 03:00, so 24 real hours from Saturday 10:00 end at 11:00.
    expect(wall(addCountedHours(local("2026-03-28T10:00"), 24, everyDay))).toBe("2026-03-29 11:00 Sun");
    // 25 October 2026: 03:00 → 02:00, a 25-hour day.
    expect(wall(addCountedHours(local("2026-10-24T10:00"), 24, everyDay))).toBe("2026-10-25 09:00 Sun");
  });

  it("counts plain hours and takes the step at once with a calendar-hours calendar", () => {
    const plain = { ...berlin, mode: "calendar_hours" as const };
    const sent = local("2026-12-04T10:00");
    expect(dueMoment(sent, 72, plain).getTime() - sent.getTime()).toBe(72 * 3_600_000);
    expect(wall(dueMoment(local("2026-12-03T20:00"), 3, plain))).toBe("2026-12-03 23:00 Thu");
  });
});

describe("a calendar that cannot count", () => {
  it.each([
    [{ zone: "Europe/Berlln" }, '"Europe/Berlln" is not a tz database time zone'],
    [{ workingDays: [] }, "working days must be one or more of 1 (Monday) to 7 (Sunday)"],
    [{ workingDays: [0, 1] }, "working days must be one or more of 1 (Monday) to 7 (Sunday)"],
    [{ dayStart: "9:00" }, "working hours must be written HH:MM"],
    [{ dayStart: "17:00", dayEnd: "09:00" }, "the working day must start before it ends (17:00–09:00)"],
    [{ holidays: ["2026-02-30"] }, 'holiday "2026-02-30" is not a date (YYYY-MM-DD)'],
  ] as const)("%o is refused with the reason", (change, reason) => {
    const calendar = { ...berlin, ...change } as WorkCalendar;
    expect(calendarProblem(calendar)).toBe(reason);
    expect(() => dueMoment(new Date(), 72, calendar)).toThrow(reason);
  });

  it("says so rather than searching forever when no day is worked for over a year", () => {
    const start = DateTime.fromISO("2027-01-01", { zone: berlin.zone });
    const holidays = Array.from({ length: 420 }, (_, i) => start.plus({ days: i }).toISODate() ?? "");
    expect(() => nextWorkingMoment(start.toJSDate(), { ...berlin, holidays })).toThrow(/no working day/);
  });
});

describe("working-days timers, for any start, length and zone", () => {
  const zones = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
  ];
  const arbitrary = fc.record({
    from: fc.date({
      min: new Date("2026-01-01T00:00:00Z"),
      max: new Date("2028-12-31T00:00:00Z"),
      noInvalidDate: true,
    }),
    hours: fc.integer({ min: 0, max: 24 * 10 }),
    zone: fc.constantFrom(...zones),
  });

  it("are never due before plain hours would be, and always inside working hours on a working day", () => {
    fc.assert(
      fc.property(arbitrary, ({ from, hours, zone }) => {
        const calendar = { ...berlin, zone };
        const due = dueMoment(from, hours, calendar);
        expect(due.getTime()).toBeGreaterThanOrEqual(from.getTime() + hours * 3_600_000);
        const at = DateTime.fromJSDate(due, { zone });
        expect(at.weekday).toBeLessThanOrEqual(5);
        expect(at.hour * 60 + at.minute).toBeGreaterThanOrEqual(9 * 60);
        expect(at.hour * 60 + at.minute).toBeLessThan(17 * 60);
      }),
    );
  });

  it("never move a due moment earlier when the start is later", () => {
    fc.assert(
      fc.property(
        arbitrary,
        fc.integer({ min: 0, max: 7 * 24 * 60 }),
        ({ from, hours, zone }, laterMinutes) => {
          const calendar = { ...berlin, zone };
          const later = new Date(from.getTime() + laterMinutes * 60_000);
          expect(dueMoment(later, hours, calendar).getTime()).toBeGreaterThanOrEqual(
            dueMoment(from, hours, calendar).getTime(),
          );
        },
      ),
    );
  });
});

describe("isKnownZone", () => {
  it("knows tz database zones and refuses other names, the same on every ask (answers are kept)", () => {
    for (let ask = 0; ask < 2; ask++) {
      expect(isKnownZone("Europe/Berlin")).toBe(true);
      expect(isKnownZone("America/Argentina/Buenos_Aires")).toBe(true);
      expect(isKnownZone("Mars/Olympus_Mons")).toBe(false);
      expect(isKnownZone("")).toBe(false);
    }
  });
});
