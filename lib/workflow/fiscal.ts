/**
 * The fiscal calendar of the audit policy. The fiscal year starts on 1 February and is named after the
 * calendar year it ends in (FY27 = 1 Feb 2026 – 31 Jan 2027); Q1 = Feb–Apr, Q2 = May–Jul, Q3 = Aug–Oct,
 * Q4 = Nov–Jan. Audits are opened in Q1 and Q3 and named `FY27-Q1`, `FY27-Q3`. Everything is UTC.
 */

import { DateTime } from "luxon";
import { nextWorkingMoment, type WorkCalendar } from "./working-time";

export type FiscalQuarter = 1 | 2 | 3 | 4;
export type AuditQuarter = 1 | 3;

export interface FiscalPeriod {
  /** Four-digit fiscal year: the calendar year the fiscal year ends in. */
  fiscalYear: number;
  quarter: FiscalQuarter;
  /** First day of the quarter, `YYYY-MM-DD`. */
  start: string;
  /** Last day of the quarter (inclusive), `YYYY-MM-DD`. */
  end: string;
}

export interface AuditPeriod {
  /** `FY27-Q3`. */
  name: string;
  fiscalYear: number;
  quarter: AuditQuarter;
  /** First day of the quarter, `YYYY-MM-DD`. */
  opensOn: string;
  /** Last day of the quarter (inclusive), `YYYY-MM-DD`: the audit should be signed off by its end. */
  dueOn: string;
}

export interface AuditSchedule {
  /** The audit that should be open or is due now. */
  current: AuditPeriod;
  /** An audit named `current.name` is among the names given. */
  exists: boolean;
  /** `current.dueOn` has ended and the audit is not among the signed-off names given. */
  overdue: boolean;
  /** The next audit to open. */
  next: AuditPeriod;
}

const FISCAL_YEAR_START_MONTH = 1; // February, as a 0-based UTC month
const MONTHS_PER_QUARTER = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
const AUDIT_NAME_PATTERN = /^FY(\d{2})-Q([1-4])$/;

/**
 * The fiscal year and quarter `date` falls in, read in UTC (23:30 on 31 Jan in New York is already
 * 1 Feb UTC, so FY+1 Q1). Throws a RangeError for an invalid Date.
 */
export function fiscalPeriodOf(date: Date): FiscalPeriod {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError("fiscalPeriodOf: invalid date");
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const fiscalYear = month >= FISCAL_YEAR_START_MONTH ? year + 1 : year;
  const monthOfFiscalYear = (month - FISCAL_YEAR_START_MONTH + 12) % 12;
  const quarter = (Math.floor(monthOfFiscalYear / MONTHS_PER_QUARTER) + 1) as FiscalQuarter;
  return { fiscalYear, quarter, ...quarterBounds(fiscalYear, quarter) };
}

/**
 * `FY27-Q3` for fiscal year 2027, quarter 3. The name keeps two digits of the year, so only fiscal years
 * 2000–2099 have a name; anything else (or a non-integer year) throws a RangeError.
 */
export function auditPeriodName(fiscalYear: number, quarter: FiscalQuarter): string {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 2000 || fiscalYear > 2099) {
    throw new RangeError(`auditPeriodName: fiscal year ${fiscalYear} has no two-digit name (2000–2099)`);
  }
  return `FY${String(fiscalYear % 100).padStart(2, "0")}-Q${quarter}`;
}

/**
 * Reads a period name such as `FY27-Q3` into `{ fiscalYear: 2027, quarter: 3 }`; any quarter 1–4 parses
 * (use `isAuditQuarter` to check it is an audit quarter). Exact spelling only: no spaces, upper case,
 * two-digit year (read as 20YY); anything else is null.
 */
export function parseAuditPeriodName(name: string): { fiscalYear: number; quarter: FiscalQuarter } | null {
  const match = AUDIT_NAME_PATTERN.exec(name);
  if (match === null) return null;
  return { fiscalYear: 2000 + Number(match[1]), quarter: Number(match[2]) as FiscalQuarter };
}

/** Whether an audit is opened in this fiscal quarter: only Q1 and Q3 are audit quarters. */
export function isAuditQuarter(quarter: number): quarter is AuditQuarter {
  return quarter === 1 || quarter === 3;
}

/**
 * The audit of fiscal year `fiscalYear`, quarter `quarter` (1 or 3), with the days it opens and is due.
 * Throws a RangeError outside fiscal years 2000–2099 (see `auditPeriodName`).
 */
export function auditPeriodOf(fiscalYear: number, quarter: AuditQuarter): AuditPeriod {
  const { start, end } = quarterBounds(fiscalYear, quarter);
  return { name: auditPeriodName(fiscalYear, quarter), fiscalYear, quarter, opensOn: start, dueOn: end };
}

/**
 * The audit that should be open or is due at `now`: the latest audit quarter (Q1 or Q3) that started on or
 * before `now` (UTC). In Q2 that is the same year's Q1, in Q4 the same year's Q3, both then past their due
 * day. E.g. 2026-11-24 → FY27-Q3 (due 2026-10-31); 2027-02-10 → FY28-Q1.
 */
export function currentAuditPeriod(now: Date): AuditPeriod {
  const { fiscalYear, quarter } = fiscalPeriodOf(now);
  return auditPeriodOf(fiscalYear, quarter <= 2 ? 1 : 3);
}

/** The first audit quarter starting after `now` (UTC): Q3 of the same fiscal year, or Q1 of the next. */
export function nextAuditPeriod(now: Date): AuditPeriod {
  const { fiscalYear, quarter } = fiscalPeriodOf(now);
  return quarter <= 2 ? auditPeriodOf(fiscalYear, 3) : auditPeriodOf(fiscalYear + 1, 1);
}

/**
 * What the overview shows: the current audit period, whether an audit of that name exists among
 * `auditNames`, whether it is overdue, and the next period. Overdue means `now` is after the whole
 * `dueOn` day (UTC) and the name is not in `signedOffNames`; without `signedOffNames` it only says the due
 * day has passed. Names that are not audit names are ignored.
 */
export function auditSchedule(
  now: Date,
  auditNames: readonly string[],
  signedOffNames: readonly string[] = [],
): AuditSchedule {
  const current = currentAuditPeriod(now);
  const dueEndsAt = Date.parse(current.dueOn) + DAY_MS;
  return {
    current,
    exists: auditNames.includes(current.name),
    overdue: now.getTime() >= dueEndsAt && !signedOffNames.includes(current.name),
    next: nextAuditPeriod(now),
  };
}

/** First and last day (inclusive) of a fiscal quarter; Date.UTC carries month 12 over into January. */
function quarterBounds(fiscalYear: number, quarter: FiscalQuarter): { start: string; end: string } {
  const startMonth = FISCAL_YEAR_START_MONTH + (quarter - 1) * MONTHS_PER_QUARTER;
  const start = Date.UTC(fiscalYear - 1, startMonth, 1);
  const nextStart = Date.UTC(fiscalYear - 1, startMonth + MONTHS_PER_QUARTER, 1);
  return { start: isoDay(start), end: isoDay(nextStart - DAY_MS) };
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * When autopilot opens the audit of `now`'s period, if it may: during its own quarter (Q1 or Q3, not the
 * quarter after, when it is overdue and a person should decide), at the start of the first working day
 * (in `calendar`, the organisation's default zone and holidays) on or after the quarter's first day.
 * Null in Q2 and Q4.
 */
export function scheduledOpeningOf(
  now: Date,
  calendar: WorkCalendar,
): { period: AuditPeriod; at: Date } | null {
  const { quarter } = fiscalPeriodOf(now);
  if (!isAuditQuarter(quarter)) return null;
  const period = currentAuditPeriod(now);
  const firstDay = DateTime.fromISO(period.opensOn, { zone: calendar.zone }).toJSDate();
  return { period, at: nextWorkingMoment(firstDay, calendar) };
}
