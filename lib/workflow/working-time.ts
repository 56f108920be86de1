/**
 * Working time for the chase's timers. "72 hours" over a weekend or a holiday is not 72 hours of a
 * colleague's working week: with a working-days calendar, a timer counts only the hours of the recipient's
 * working days (in their time zone, holidays skipped), and a step that falls due outside their working
 * hours waits for the start of their next working day, never 03:00 their time. A calendar-hours calendar
 * counts plain hours and takes a step the moment it is due, as a stopwatch would. Pure: no IO, no clock.
 */
import { DateTime, IANAZone } from "luxon";

export type WorkCalendarMode = "working_days" | "calendar_hours";

export interface WorkCalendar {
  mode: WorkCalendarMode;
  /** IANA time zone the days and hours are counted in (the recipient's `tzdata_timezone`). */
  zone: string;
  /** ISO weekdays that are working days: 1 is Monday, 7 is Sunday. At least one. */
  workingDays: readonly number[];
  /** Local start and end of the working day, `HH:MM`, start before end. */
  dayStart: string;
  dayEnd: string;
  /** Local calendar days that are not worked (`YYYY-MM-DD`), e.g. the recipient's region's holidays. */
  holidays: readonly string[];
}

/** An organisation's working time, from which each person's calendar is made (`calendarOf`). */
export interface WorkingTimeSettings {
  mode: WorkCalendarMode;
  /** The zone of people whose roster has no (known) `tzdata_timezone`. */
  defaultZone: string;
  workingDays: readonly number[];
  dayStart: string;
  dayEnd: string;
  /** Days off by roster region (compared ignoring case); `all` applies to everyone. */
  holidays: Readonly<Record<string, readonly string[]>>;
}

/** Monday to Friday, 09:00 to 17:00. */
export const DEFAULT_WORKING_DAYS = [1, 2, 3, 4, 5] as const;
export const DEFAULT_DAY_START = "09:00";
export const DEFAULT_DAY_END = "17:00";

/** No calendar has more than a year of days off in a row; a longer search is a configuration mistake. */
const MAX_DAYS_SEARCHED = 400;

/** Working days Monday to Friday, 09:00-17:00 UTC, no holidays. */
export const DEFAULT_WORKING_TIME: WorkingTimeSettings = {
  mode: "working_days",
  defaultZone: "UTC",
  workingDays: DEFAULT_WORKING_DAYS,
  dayStart: DEFAULT_DAY_START,
  dayEnd: DEFAULT_DAY_END,
  holidays: {},
};

/**
 * The calendar a person's timers count on: their `tzdata_timezone` when it is a known zone, else the
 * default (`zoneFallback` says so, for a warning); the holidays of `all` and of their region.
 */
export function calendarOf(
  person: { timezone: string | null | undefined; region: string | null | undefined },
  settings: WorkingTimeSettings,
): WorkCalendar & { zoneFallback: boolean } {
  const zone = person.timezone?.trim() ?? "";
  const known = zone !== "" && isKnownZone(zone);
  const region = person.region?.trim().toLowerCase() ?? "";
  const holidays = Object.entries(settings.holidays).flatMap(([key, days]) =>
    key.toLowerCase() === "all" || (region !== "" && key.toLowerCase() === region) ? days : [],
  );
  return {
    mode: settings.mode,
    zone: known ? zone : settings.defaultZone,
    zoneFallback: !known,
    workingDays: settings.workingDays,
    dayStart: settings.dayStart,
    dayEnd: settings.dayEnd,
    holidays: [...new Set(holidays)].sort(),
  };
}

/**
 * Answers of `isKnownZone` by name. Luxon builds an `Intl.DateTimeFormat` for each check, and every item
 * of a page asks for its person's zone: a quarter of the person page's server time at 10,000 people. A
 * roster names a few dozen zones; the bound only guards against a flood of made-up names.
 */
const KNOWN_ZONES = new Map<string, boolean>();
const KNOWN_ZONES_KEPT = 1_000;

/** Whether `zone` is a time zone the calendar can count in. */
export function isKnownZone(zone: string): boolean {
  let known = KNOWN_ZONES.get(zone);
  if (known === undefined) {
    known = IANAZone.isValidZone(zone);
    if (KNOWN_ZONES.size >= KNOWN_ZONES_KEPT) KNOWN_ZONES.clear();
    KNOWN_ZONES.set(zone, known);
  }
  return known;
}

/** Minutes after midnight of an `HH:MM` time; null when it is not one. */
export function minutesOfDay(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * The problem with a calendar, in words for whoever configured it, or null when it can count: a known
 * zone, at least one working day, working hours that start before they end, holidays that are dates.
 */
export function calendarProblem(calendar: WorkCalendar): string | null {
  if (!isKnownZone(calendar.zone)) return `"${calendar.zone}" is not a tz database time zone`;
  if (
    calendar.workingDays.length === 0 ||
    calendar.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)
  )
    return "working days must be one or more of 1 (Monday) to 7 (Sunday)";
  const start = minutesOfDay(calendar.dayStart);
  const end = minutesOfDay(calendar.dayEnd);
  if (start === null || end === null) return "working hours must be written HH:MM";
  if (start >= end)
    return `the working day must start before it ends (${calendar.dayStart}–${calendar.dayEnd})`;
  const bad = calendar.holidays.find((day) => !DateTime.fromISO(day, { zone: "UTC" }).isValid);
  if (bad !== undefined) return `holiday "${bad}" is not a date (YYYY-MM-DD)`;
  return null;
}

function assertCountable(calendar: WorkCalendar): void {
  const problem = calendarProblem(calendar);
  if (problem !== null) throw new Error(`The working-time calendar cannot be used: ${problem}.`);
}

function isWorkingDay(local: DateTime, calendar: WorkCalendar, holidays: ReadonlySet<string>): boolean {
  return calendar.workingDays.includes(local.weekday) && !holidays.has(local.toISODate() ?? "");
}

/** The local day's working hours as instants (a DST change inside them is counted as it happens). */
function workingWindow(day: DateTime, calendar: WorkCalendar): { start: DateTime; end: DateTime } {
  const at = (hhmm: string) => {
    const minutes = minutesOfDay(hhmm) ?? 0;
    return day.startOf("day").set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  };
  return { start: at(calendar.dayStart), end: at(calendar.dayEnd) };
}

/**
 * `hours` of the calendar counted from `from`: plain hours, or with working days only the hours of the
 * local days that are worked (all 24 of them, or 23 and 25 on a DST change), so a ping on Friday 10:00 is
 * 72 hours old on Wednesday 10:00 when Saturday and Sunday are not worked.
 */
export function addCountedHours(from: Date, hours: number, calendar: WorkCalendar): Date {
  if (!(hours >= 0)) throw new Error(`Hours to count must be zero or more, not ${hours}.`);
  if (calendar.mode === "calendar_hours") return new Date(from.getTime() + hours * 3_600_000);
  assertCountable(calendar);
  const holidays = new Set(calendar.holidays);
  let remainingMs = hours * 3_600_000;
  let cursor = DateTime.fromJSDate(from, { zone: calendar.zone });
  for (let days = 0; days <= MAX_DAYS_SEARCHED + Math.ceil(hours / 24) * 7; days++) {
    const nextMidnight = cursor.startOf("day").plus({ days: 1 });
    if (isWorkingDay(cursor, calendar, holidays)) {
      const leftToday = nextMidnight.toMillis() - cursor.toMillis();
      if (remainingMs <= leftToday) return new Date(cursor.toMillis() + remainingMs);
      remainingMs -= leftToday;
    }
    cursor = nextMidnight;
  }
  throw new Error("The working-time calendar has no working day in over a year.");
}

/**
 * The first moment at or after `at` inside the recipient's working hours on a working day: `at` itself
 * when it is one, else the start of their next working day. Calendar hours take a step when it is due.
 */
export function nextWorkingMoment(at: Date, calendar: WorkCalendar): Date {
  if (calendar.mode === "calendar_hours") return at;
  assertCountable(calendar);
  const holidays = new Set(calendar.holidays);
  let day = DateTime.fromJSDate(at, { zone: calendar.zone });
  for (let days = 0; days <= MAX_DAYS_SEARCHED; days++) {
    if (isWorkingDay(day, calendar, holidays)) {
      const { start, end } = workingWindow(day, calendar);
      if (day < start) return start.toJSDate();
      if (day < end) return day.toJSDate();
    }
    day = day.startOf("day").plus({ days: 1 });
  }
  throw new Error("The working-time calendar has no working day in over a year.");
}

/** When a step `hours` after `from` is due: the hours counted, then moved into the recipient's working hours. */
export function dueMoment(from: Date, hours: number, calendar: WorkCalendar): Date {
  return nextWorkingMoment(addCountedHours(from, hours, calendar), calendar);
}
