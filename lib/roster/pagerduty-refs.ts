import { isPlainMapping } from "@/lib/config/yaml";
import { readOptionalText, readText, type Roster } from "./schema";

/** What PagerDuty is asked about one roster person: their email and the user ID they give (null for none). */
export interface RosterPagerDutyRef {
  email: string;
  pagerdutyId: string | null;
}

/**
 * Each person's email and PagerDuty user ID as `RosterPersonSchema` reads them (trimmed; a blank ID is
 * none), from validated people or from entries as parsed, before validation: the same for every entry that
 * validates, so PagerDuty can be asked about a large roster while it is still being checked. An entry that
 * is not a person with an email as text is skipped (it fails validation).
 */
export function pagerDutyRefsOf(people: readonly unknown[]): RosterPagerDutyRef[] {
  return people.flatMap((person) => {
    if (!isPlainMapping(person)) return [];
    const email = readText(person.email);
    if (typeof email !== "string") return [];
    const id = isPlainMapping(person.pagerduty) ? readOptionalText(person.pagerduty.id) : undefined;
    const pagerdutyId = typeof id === "string" ? id : null;
    return [{ email, pagerdutyId }];
  });
}

/** `pagerDutyRefsOf` a roster's people. */
export function rosterPagerDutyRefs(roster: Pick<Roster, "entries">): RosterPagerDutyRef[] {
  return pagerDutyRefsOf(roster.entries.map((entry) => entry.person));
}
