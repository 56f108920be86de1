/**
 * How an audit progresses over its days (the burn-down) and how audits compare with the one before (the
 * trend). Pure: the grouped reads of the event log and of the items come in, the series go out.
 */
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What changed on one UTC day (see `listDailyItemChanges`). */
export interface DayChanges {
  day: string;
  /** Findings recorded for the first time. */
  detected: number;
  /** Findings that became ones to address. */
  entered: number;
  /** Findings that stopped being ones to address. */
  left: number;
}

/** One day of the burn-down, as it stood at the end of the day. */
export interface ProgressDay {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Findings recorded so far. */
  found: number;
  /** Of those, addressed (fixed, intentional or waived). */
  addressed: number;
  /** Of those, still to address. */
  remaining: number;
}

/** `YYYY-MM-DD` of each UTC day from `from` to `to`, both included; just `from` when `to` is earlier. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Math.max(start, Date.parse(`${to}T00:00:00Z`));
  const days: string[] = [];
  for (let time = start; time <= end; time += DAY_MS) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/**
 * The burn-down from day `from` to day `to` (both `YYYY-MM-DD`, UTC, included): each day's findings found,
 * addressed and remaining at its end. `endedWaivers`: waivers that ran out on a day with no event to say so;
 * from that day their finding is to address again. Changes before `from` count on the first day, changes
 * after `to` not at all.
 */
export function burnDownOf(
  changes: readonly DayChanges[],
  endedWaivers: readonly { day: string; count: number }[],
  from: string,
  to: string,
): ProgressDay[] {
  const byDay = new Map<string, { detected: number; delta: number }>();
  const add = (day: string, detected: number, delta: number) => {
    const key = day < from ? from : day;
    const entry = byDay.get(key) ?? { detected: 0, delta: 0 };
    byDay.set(key, { detected: entry.detected + detected, delta: entry.delta + delta });
  };
  for (const change of changes) add(change.day, change.detected, change.entered - change.left);
  for (const waiver of endedWaivers) add(waiver.day, 0, waiver.count);

  let found = 0;
  let remaining = 0;
  return daysBetween(from, to).map((day) => {
    const change = byDay.get(day);
    found += change?.detected ?? 0;
    remaining += change?.delta ?? 0;
    return { day, found, addressed: found - remaining, remaining };
  });
}

/** Findings of one audit sharing a code, a person (or, about no person, a schedule): see `listFindingGroups`. */
export interface FindingGroupInput {
  auditId: string;
  code: FindingCode;
  personKey: string | null;
  scheduleId: string | null;
  count: number;
}

export interface TrendSplit {
  /** Findings whose person (or schedule) did not have that code in the audit before. */
  new: number;
  /** Findings whose person (or schedule) had that code in the audit before too. */
  recurring: number;
  /** Findings of the audit before whose person (or schedule) no longer has that code. */
  fixed: number;
}

export interface TrendEntry {
  auditId: string;
  name: string;
  /** There is an audit before this one to compare with; for the first, every finding is new. */
  compared: boolean;
  total: TrendSplit;
  byCode: Record<FindingCode, TrendSplit>;
}

/**
 * Each audit's findings by code, split by what they were in the audit before: new, recurring or fixed.
 * A finding is known across audits by its person's key (or, about no person, its schedule's id) and code,
 * never by a display name. `audits` oldest first. `new + recurring` is the audit's findings.
 */
export function trendOf(
  audits: readonly { id: string; name: string }[],
  groups: readonly FindingGroupInput[],
): TrendEntry[] {
  const byAudit = new Map<string, Map<string, { code: FindingCode; count: number }>>();
  for (const group of groups) {
    const identity = `${group.code}|${group.personKey === null ? `schedule:${group.scheduleId ?? "-"}` : `person:${group.personKey}`}`;
    const findings = byAudit.get(group.auditId) ?? new Map<string, { code: FindingCode; count: number }>();
    const entry = findings.get(identity);
    findings.set(identity, { code: group.code, count: (entry?.count ?? 0) + group.count });
    byAudit.set(group.auditId, findings);
  }

  let previous: Map<string, { code: FindingCode; count: number }> | null = null;
  return audits.map((audit) => {
    const findings = byAudit.get(audit.id) ?? new Map<string, { code: FindingCode; count: number }>();
    const byCode = Object.fromEntries(
      FINDING_CODES.map((code) => [code, { new: 0, recurring: 0, fixed: 0 }]),
    ) as Record<FindingCode, TrendSplit>;
    for (const [identity, { code, count }] of findings) {
      byCode[code][previous?.has(identity) ? "recurring" : "new"] += count;
    }
    for (const [identity, { code, count }] of previous ?? []) {
      if (!findings.has(identity)) byCode[code].fixed += count;
    }
    const total = { new: 0, recurring: 0, fixed: 0 };
    for (const split of Object.values(byCode)) {
      total.new += split.new;
      total.recurring += split.recurring;
      total.fixed += split.fixed;
    }
    const entry: TrendEntry = {
      auditId: audit.id,
      name: audit.name,
      compared: previous !== null,
      total,
      byCode,
    };
    previous = findings;
    return entry;
  });
}
