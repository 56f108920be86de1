/**
 * The Schedules page's coverage view, worked out from a run's coverage: one row per person of each
 * rotation (expected by the roster, on its schedules, or both), problems first, then by name. Pure: the
 * page builds it from what `getScheduleCoverage` read; the component only shows it.
 */
import { personKey } from "@/lib/audit/check";
import type { RotationCoverage } from "@/lib/audit/types";
import { pagerDutySiteOf, pagerDutyUserUrl } from "@/lib/pagerduty/web-links";
import { isSameEmail } from "@/lib/roster/person-key";

/**
 * Above this many people in the roster, the page shows only problems unless asked for everyone
 * (`?show=all`): a healthy row of a large org is noise, and every rotation in full runs to dozens of screens.
 */
export const PROBLEMS_ONLY_ABOVE_PEOPLE = 50;

export const COVERAGE_SHOWS = ["problems", "all"] as const;
/** Which people the page lists: those with a problem, or everyone. */
export type CoverageShow = (typeof COVERAGE_SHOWS)[number];

/**
 * What is wrong with a person's place in a rotation. `missing`: expected, on none of the schedules read;
 * `no_pagerduty_id`: expected, with no PagerDuty ID in the roster; `deleted`: a deleted PagerDuty user on
 * a schedule; `not_in_roster`: on a schedule, matching no roster entry; `not_expected`: on a schedule, in
 * the roster, but not put in this rotation.
 */
export type CoverageProblem = "missing" | "no_pagerduty_id" | "deleted" | "not_in_roster" | "not_expected";

type Expected = RotationCoverage["expected"][number];
type Schedule = RotationCoverage["schedules"][number];
type Member = Schedule["members"][number];

export interface CoverageScheduleRef {
  id: string;
  name: string;
  /** The schedule's page in PagerDuty; null when PagerDuty sent none. */
  url: string | null;
}

export interface CoveragePerson {
  /** The person key: the person page's address (a roster email, or `pd:` and a PagerDuty user ID). */
  key: string;
  name: string;
  email: string | null;
  inRoster: boolean;
  /** The roster's PagerDuty ID for an expected person, else the schedule member's. */
  pagerdutyId: string | null;
  /** The user's page in PagerDuty; null when the site is unknown, there is no ID, or the user is deleted. */
  pagerdutyUrl: string | null;
  /** Whether the roster puts them in this rotation. */
  expected: boolean;
  /** An exempt title (such as the VP of Support): not audited, so on a schedule without a problem. */
  exempt: boolean;
  /** The schedules read that have them as a member. */
  schedules: CoverageScheduleRef[];
  problems: CoverageProblem[];
}

export interface CoverageSchedule {
  id: string;
  /** null when the schedule could not be read or does not exist. */
  name: string | null;
  kind: "v2" | "v3" | null;
  status: Schedule["status"];
  url: string | null;
  /** How many people are on it now (distinct PagerDuty users). */
  members: number;
}

export interface RotationCoverageView {
  rotation: string;
  name: string;
  schedules: CoverageSchedule[];
  /** Problems first, then by name (locale-aware), then by person key. */
  people: CoveragePerson[];
  /** Whether any schedule was read: without one, nobody can be said to be missing. */
  anyRead: boolean;
  /** People with at least one problem. */
  peopleWithProblems: number;
  /** Schedules that do not exist or could not be read. */
  brokenSchedules: number;
  /** `peopleWithProblems + brokenSchedules`: what the jump list counts. */
  problems: number;
}

export interface CoverageView {
  /** Rotations with problems first, each group in the config's order. */
  rotations: RotationCoverageView[];
  /** Distinct people across every rotation (by person key). */
  people: number;
  /** Distinct people with a problem in at least one rotation. */
  peopleWithProblems: number;
  /** Distinct schedules that do not exist or could not be read. */
  brokenSchedules: number;
}

/** One fixed locale, so the server, the tests and every viewer see the same order. */
const NAME_ORDER = new Intl.Collator("en", { sensitivity: "base", numeric: true });

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Problems first; then by name, case and accents aside; ties by person key, then PagerDuty ID. */
export function comparePeople(a: CoveragePerson, b: CoveragePerson): number {
  const byProblems = Number(b.problems.length > 0) - Number(a.problems.length > 0);
  return (
    byProblems ||
    NAME_ORDER.compare(a.name, b.name) ||
    compareText(a.key, b.key) ||
    compareText(a.pagerdutyId ?? "", b.pagerdutyId ?? "")
  );
}

/** The checker's join of an expected person and a schedule member: the PagerDuty ID, else the person key. */
export function isSamePerson(expected: Expected, member: Member): boolean {
  if (expected.pagerdutyId !== null && expected.pagerdutyId === member.pagerdutyId) return true;
  return isSameEmail(expected.email, member.email);
}

/**
 * The PagerDuty site of the run, from the first schedule page PagerDuty sent; null when none was (a run
 * stored before schedule pages were kept, or every schedule unread).
 */
export function pagerDutySiteOfCoverage(coverage: readonly RotationCoverage[]): string | null {
  for (const rotation of coverage) {
    for (const schedule of rotation.schedules) {
      const site = pagerDutySiteOf(schedule.url);
      if (site) return site;
    }
  }
  return null;
}

function scheduleRef(schedule: Schedule): CoverageScheduleRef {
  return { id: schedule.id, name: schedule.name ?? schedule.id, url: schedule.url ?? null };
}

function addSchedule(person: CoveragePerson, schedule: Schedule): void {
  if (!person.schedules.some((s) => s.id === schedule.id)) person.schedules.push(scheduleRef(schedule));
}

/** One rotation's people and schedules, problems first. `site` is the PagerDuty site users link to. */
export function rotationCoverageViewOf(
  coverage: RotationCoverage,
  site: string | null,
): RotationCoverageView {
  const read = coverage.schedules.filter((s) => s.status === "read");
  const anyRead = read.length > 0;
  const userUrl = (id: string | null) => (site && id ? pagerDutyUserUrl(site, id) : null);

  const expected = coverage.expected.map((person) => {
    const row: CoveragePerson = {
      key: personKey({ ...person, gitlab: null, inRoster: true }),
      name: person.name,
      email: person.email,
      inRoster: true,
      pagerdutyId: person.pagerdutyId,
      pagerdutyUrl: userUrl(person.pagerdutyId),
      expected: true,
      exempt: false,
      schedules: [],
      problems: [],
    };
    let onDeletedAccount = false;
    for (const schedule of read) {
      for (const member of schedule.members) {
        if (!isSamePerson(person, member)) continue;
        addSchedule(row, schedule);
        onDeletedAccount ||= member.deleted;
      }
    }
    if (anyRead && row.schedules.length === 0) row.problems.push("missing");
    if (person.pagerdutyId === null) row.problems.push("no_pagerduty_id");
    if (onDeletedAccount) {
      row.problems.push("deleted");
      row.pagerdutyUrl = null;
    }
    return row;
  });

  // Members the rotation does not expect: one row per PagerDuty user, with every schedule they are on.
  const others = new Map<string, CoveragePerson>();
  for (const schedule of read) {
    for (const member of schedule.members) {
      if (coverage.expected.some((person) => isSamePerson(person, member))) continue;
      let row = others.get(member.pagerdutyId);
      if (!row) {
        const name = member.name ?? member.pagerdutyId;
        const exempt = member.exempt === true;
        row = {
          key: personKey({
            name,
            email: member.email,
            gitlab: null,
            pagerdutyId: member.pagerdutyId,
            inRoster: member.inRoster,
          }),
          name,
          email: member.email,
          inRoster: member.inRoster,
          pagerdutyId: member.pagerdutyId,
          // A deleted user's page is gone.
          pagerdutyUrl: member.deleted ? null : userUrl(member.pagerdutyId),
          expected: false,
          exempt,
          schedules: [],
          // The checker raises no finding about an exempt person's account, deleted or not.
          problems: exempt
            ? []
            : [member.deleted ? "deleted" : member.inRoster ? "not_expected" : "not_in_roster"],
        };
        others.set(member.pagerdutyId, row);
      }
      addSchedule(row, schedule);
    }
  }

  const people = [...expected, ...others.values()].sort(comparePeople);
  const peopleWithProblems = people.filter((p) => p.problems.length > 0).length;
  const brokenSchedules = coverage.schedules.length - read.length;
  return {
    rotation: coverage.rotation,
    name: coverage.name,
    schedules: coverage.schedules.map((schedule) => ({
      id: schedule.id,
      name: schedule.name,
      kind: schedule.kind,
      status: schedule.status,
      url: schedule.url ?? null,
      members: new Set(schedule.members.map((m) => m.pagerdutyId)).size,
    })),
    people,
    anyRead,
    peopleWithProblems,
    brokenSchedules,
    problems: peopleWithProblems + brokenSchedules,
  };
}

/** The whole page: every rotation's view, rotations with problems first, and the org's counts. */
export function coverageViewOf(coverage: readonly RotationCoverage[]): CoverageView {
  const site = pagerDutySiteOfCoverage(coverage);
  const rotations = coverage.map((rotation) => rotationCoverageViewOf(rotation, site));
  const everyone = new Set<string>();
  const withProblems = new Set<string>();
  const broken = new Set<string>();
  for (const rotation of rotations) {
    for (const person of rotation.people) {
      everyone.add(person.key);
      if (person.problems.length > 0) withProblems.add(person.key);
    }
    for (const schedule of rotation.schedules) if (schedule.status !== "read") broken.add(schedule.id);
  }
  return {
    // Array.prototype.sort is stable: rotations keep the config's order within each group.
    rotations: rotations.toSorted((a, b) => Number(b.problems > 0) - Number(a.problems > 0)),
    people: everyone.size,
    peopleWithProblems: withProblems.size,
    brokenSchedules: broken.size,
  };
}

/**
 * Which people the page lists: what the URL asks (`?show=all|problems`), else problems only for an org
 * whose roster holds more than PROBLEMS_ONLY_ABOVE_PEOPLE people, and everyone for a smaller one.
 */
export function coverageShowOf(asked: CoverageShow | undefined, rosterPeople: number): CoverageShow {
  return asked ?? (rosterPeople > PROBLEMS_ONLY_ABOVE_PEOPLE ? "problems" : "all");
}
