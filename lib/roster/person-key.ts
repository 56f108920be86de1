/**
 * The person key: how every layer names one person, stably across runs. A roster person's key is their
 * roster email, trimmed and lower-cased; someone PagerDuty knows and the roster does not is keyed by their
 * PagerDuty user (`pd:` and the user ID). Pure: the checker, storage, roles and pages all import it.
 */
import type { RosterPerson } from "./schema";

/** Printable ASCII without spaces or capitals: text that trimming and lower-casing leave as it is. */
const ALREADY_KEY = /^[\x21-\x40\x5b-\x7e]*$/;

/** What a PagerDuty-only person's key starts with. */
const PAGERDUTY_ONLY_PREFIX = "pd:";

/**
 * The person key of an email: trimmed and lower-cased. Most emails already are, and `toLowerCase` copies
 * the string even then: reusing it saves a copy (and re-hashing it as a map key) per user and per roster
 * entry, which the checker does for thousands.
 */
export function personKeyOfEmail(email: string): string {
  return ALREADY_KEY.test(email) ? email : email.trim().toLowerCase();
}

/** The person key of a roster person: their email's. */
export function personKeyOf(person: Pick<RosterPerson, "email">): string {
  return personKeyOfEmail(person.email);
}

/** The person key of someone the roster does not hold: their PagerDuty user ID (or name, lacking one). */
export function pagerDutyOnlyPersonKey(pagerdutyIdOrName: string): string {
  return `${PAGERDUTY_ONLY_PREFIX}${pagerdutyIdOrName}`;
}

/** Whether the key is a roster person's (not a PagerDuty-only one). */
export function isRosterPersonKey(key: string): boolean {
  return !key.startsWith(PAGERDUTY_ONLY_PREFIX);
}

/** Whether two emails name the same person (the same key); an absent email matches nothing. */
export function isSameEmail(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && personKeyOfEmail(a) === personKeyOfEmail(b);
}
