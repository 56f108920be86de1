/** Test fixtures for sign-in and roles: a small org with every role, an indirect report and a cycle. */
import type { RosterPerson } from "@/lib/roster/schema";
import { toSessionUser, type SessionUser } from "./roles";

function person(
  name: string,
  title: string,
  reportsTo: string | null,
  gitlab: string | null,
  email = `${name.split(" ")[0]?.toLowerCase()}@example.com`,
): RosterPerson {
  return { name, email, title, reports_to: reportsTo, gitlab: gitlab === null ? null : { username: gitlab } };
}

/**
 * Dana (VP) ← Mia (manager) ← Lee (manager) ← Sam; Olivia (Support Operations Manager) ← Omar (ops);
 * Xavier and Yara report to each other.
 */
export const TEST_ROSTER: readonly RosterPerson[] = [
  person("Dana Whitfield", "VP of Support", null, "dwhitfield"),
  person("Mia Chen", "Support Engineering Manager", "Dana Whitfield", "mchen"),
  person("Lee Park", "Senior Support Engineering Manager", "Mia Chen", "lpark"),
  person("Sam Rivera", "Support Engineer", "Lee Park", "srivera"),
  person("Ana Lima", "Support Engineer", "Dana Whitfield", null),
  person("Olivia Grant", "Support Operations Manager", "Dana Whitfield", "ogrant"),
  person("Omar Haddad", "Senior Support Operations Specialist", "Olivia Grant", "ohaddad"),
  person("Xavier Stone", "Support Engineer", "Yara Bell", "xstone"),
  person("Yara Bell", "Support Engineer", "Xavier Stone", "ybell"),
];

export function rosterPerson(name: string): RosterPerson {
  const found = TEST_ROSTER.find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} in TEST_ROSTER`);
  return found;
}

export function sessionUserOf(name: string): SessionUser {
  return toSessionUser(rosterPerson(name), TEST_ROSTER);
}
