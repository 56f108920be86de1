/**
 * Generates a large support org for benchmarks: a roster, the audit config and the PagerDuty data, from a
 * seed. Most people are clean; a few percent carry the problems the audit looks for, so a benchmark run
 * exercises every code path of the checker at realistic proportions.
 */
import type { RosterPerson } from "@/lib/roster/schema";
import { createRandom, type Random } from "../random";
import type { SandboxEvent, SandboxLayer, SandboxSchedule, SandboxUser } from "../pagerduty/types";
import {
  PLACEHOLDER_PAGERDUTY_URL,
  ROSTER_FILE,
  createIdAllocator,
  dayOffset,
  emailOf,
  gitlabUsernameOf,
  pagerDutyUser,
  slugOf,
  type Scenario,
  type ScenarioConfig,
} from "./scenario";

export interface GenerateOrgOptions {
  /** Roster entries, VP, directors and managers included. */
  people: number;
  /** PagerDuty users beyond the roster's (other departments, ex-staff, a few deleted). */
  extraPagerDutyUsers: number;
  /**
   * The account's size instead: extra users are added until it holds this many users (deleted ones
   * included), and the account lists them by name, so the roster's users are spread through the list
   * rather than first. For accounts past PagerDuty's 10,000-record pagination limit (e.g. 12,000).
   */
  pagerDutyUsers?: number;
  /** Schedules the config lists (one more, configured but missing, is added for `schedule_not_found`). */
  schedules: number;
  /** Share of schedules that are shift-based (v3), 0..1. */
  v3Share: number;
  seed: number;
  now: Date;
}

/** Share of people (or of extra users) carrying each problem. */
const RATES = {
  missingId: 0.01,
  unknownId: 0.005,
  duplicateId: 0.003,
  emailMismatch: 0.01,
  notPageable: 0.01,
  invitationPending: 0.005,
  missingFromSchedule: 0.01,
  unexpectedInSchedule: 0.005,
  notInRosterOnSchedule: 0.005,
  deletedExtra: 0.02,
} as const;

/** PagerDuty caps a v3 event at 20 members; layers get the same size so both kinds look alike. */
const MAX_SLOT_MEMBERS = 20;

const REGIONS = [
  {
    region: "AMER-W",
    group: "amer",
    share: 0.2,
    zones: ["America/Los_Angeles", "America/Vancouver", "America/Denver"],
  },
  { region: "AMER-C", group: "amer", share: 0.15, zones: ["America/Chicago", "America/Mexico_City"] },
  {
    region: "AMER-E",
    group: "amer",
    share: 0.25,
    zones: ["America/New_York", "America/Toronto", "America/Sao_Paulo"],
  },
  {
    region: "EMEA",
    group: "emea",
    share: 0.25,
    zones: ["Europe/London", "Europe/Berlin", "Europe/Amsterdam", "Europe/Dublin", "Africa/Johannesburg"],
  },
  {
    region: "APAC",
    group: "apac",
    share: 0.15,
    zones: ["Asia/Singapore", "Australia/Sydney", "Asia/Tokyo", "Asia/Kolkata"],
  },
] as const;
const GROUPS = ["amer", "emea", "apac"] as const;
type Group = (typeof GROUPS)[number];
const GROUP_REGIONS: Record<Group, string[]> = {
  amer: ["AMER-W", "AMER-C", "AMER-E"],
  emea: ["EMEA"],
  apac: ["APAC"],
};

const FOCUSES = ["self-managed", "saas", "dedicated", "licensing", "ci-cd", "security"] as const;
const FOCUS_LABELS: Record<(typeof FOCUSES)[number], string> = {
  "self-managed": "Self-managed",
  saas: "SaaS",
  dedicated: "Dedicated",
  licensing: "Licensing & Renewals",
  "ci-cd": "CI/CD",
  security: "Security",
};

const FIRST_NAMES = (
  "Aaron Abigail Adam Adebayo Aditi Ahmed Aiko Alejandro Alex Alice Amara Amir Ana Andre Andrea Anika " +
  "Anna Arjun Ava Ben Bianca Bruno Caleb Camila Carlos Chen Chloe Chris Claire Daniel Dara David Diego " +
  "Divya Elena Eli Emma Erik Ethan Fatima Felix Fiona Gabriel Grace Hana Hannah Hiro Ibrahim Ines Isaac " +
  "Ivan Jack Jamal James Jana Javier Jin Joao Jordan Julia Kai Karin Kenji Kofi Lara Laura Leo Liam " +
  "Lina Lucas Lucia Maya Mei Mia Miguel Mohammed Nadia Naomi Nikhil Nina Noah Nora Oliver Olivia Omar " +
  "Oscar Pablo Pedro Priya Rafael Rahul Ravi Rosa Ryan Sakura Samuel Sara Sean Sofia Sonia Stefan Tariq " +
  "Tessa Thomas Tomas Uma Victor Wei Yara Yusuf Zara Zoe"
).split(" ");
const LAST_NAMES = (
  "Abbott Adeyemi Agarwal Alvarez Andersen Bauer Becker Bennett Brooks Carvalho Castillo Chen Cohen " +
  "Costa Dubois Dunn Edwards Eriksson Fernandes Fischer Fuentes Garcia Grant Gupta Haddad Hansen Hughes " +
  "Ibrahim Iyer Jensen Kaur Kim Kowalski Kumar Larsen Lee Lim Lindqvist Lopez MacLeod Martin Mendes " +
  "Menon Meyer Moreau Murphy Nair Nakamura Ng Nguyen Novak Nowak Okafor Oliveira Ortiz Park Patel " +
  "Petrov Popescu Rahman Ramos Reyes Rivera Rossi Sato Schmidt Schulz Shah Silva Singh Sousa Stone " +
  "Suzuki Svensson Tanaka Tan Taylor Thompson Torres Varga Vogel Wagner Walker Wang Watanabe Weber Wong " +
  "Wright Yamamoto Yilmaz Young Zhang Zimmermann"
).split(" ");

interface Draft {
  person: RosterPerson;
  group: Group;
  /** Rotations the roster puts them in (field rules) or that select them (where rules). */
  rotations: string[];
  /** The PagerDuty user standing for them; null when they have no account. */
  user: SandboxUser | null;
}

interface RotationPlan {
  id: string;
  name: string;
  group: Group;
  kind: "ceoc" | "smoc" | "focus";
  focus: (typeof FOCUSES)[number] | null;
  scheduleIds: string[];
}

/**
 * Builds a benchmark org from `options`. Deterministic: the same options (seed and `now` included) give a
 * deep-equal scenario. Sizes: `people` roster entries, about `people + extraPagerDutyUsers` PagerDuty
 * users (minus the few people with no account), `schedules` schedules in the config plus one missing ID.
 */
export function generateOrg(options: GenerateOrgOptions): Scenario {
  const { now } = options;
  const random = createRandom(options.seed);
  const userId = createIdAllocator(`bench-user:${options.seed}`);
  const scheduleId = createIdAllocator(`bench-schedule:${options.seed}`);
  const pickName = createNamePicker(random);

  // --- People: VP, three directors, managers (one per ~12 engineers), engineers -----------------------
  const drafts: Draft[] = [];
  // Names are unique, their initial-and-surname usernames are not (Ana Lee, Alex Lee): a roster may not
  // give two people one GitLab account, so a later namesake gets a number.
  const usernames = new Set<string>();
  const usernameOf = (name: string): string => {
    const base = gitlabUsernameOf(name);
    let username = base;
    for (let n = 2; usernames.has(username); n++) username = `${base}${n}`;
    usernames.add(username);
    return username;
  };
  const add = (name: string, title: string, region: string, group: Group, reportsTo: string): Draft => {
    const regionInfo = REGIONS.find((r) => r.region === region) ?? REGIONS[0];
    const draft: Draft = {
      person: {
        name,
        email: emailOf(name),
        title,
        reports_to: reportsTo,
        region,
        tzdata_timezone: random.pick(regionInfo.zones),
        start_date: dayOffset(now, -random.int(30, 3650)).slice(0, 10),
        gitlab: { username: usernameOf(name) },
        slack: { username: slugOf(name) },
      },
      group,
      rotations: [],
      user: null,
    };
    drafts.push(draft);
    return draft;
  };

  const total = Math.max(1, options.people);
  const vp = add(pickName(), "VP of Support", "AMER-W", "amer", "Chief Customer Officer");
  const directors = new Map<Group, Draft>();
  for (const group of GROUPS) {
    if (drafts.length >= total) break;
    directors.set(
      group,
      add(
        pickName(),
        `Director of Support, ${group.toUpperCase()}`,
        GROUP_REGIONS[group][0] ?? "EMEA",
        group,
        vp.person.name,
      ),
    );
  }
  const remaining = total - drafts.length;
  const managerCount = Math.min(remaining, Math.max(remaining > 0 ? 1 : 0, Math.round(remaining / 13)));
  const regionOf = (i: number, count: number) => {
    // Regions by share, in blocks, so each region has managers and engineers.
    let edge = 0;
    for (const info of REGIONS) {
      edge += info.share;
      if ((i + 0.5) / count < edge) return info;
    }
    return REGIONS[REGIONS.length - 1] ?? REGIONS[0];
  };
  const managersByRegion = new Map<string, Draft[]>();
  for (let i = 0; i < managerCount; i++) {
    const info = regionOf(i, managerCount);
    const director = directors.get(info.group) ?? vp;
    const title = random.chance(0.25) ? "Senior Support Engineering Manager" : "Support Engineering Manager";
    const manager = add(pickName(), title, info.region, info.group, director.person.name);
    managersByRegion.set(info.region, [...(managersByRegion.get(info.region) ?? []), manager]);
  }
  const engineerTitles = [
    "Support Engineer",
    "Support Engineer",
    "Senior Support Engineer",
    "Staff Support Engineer",
  ];
  const engineers: Draft[] = [];
  const engineerCount = total - drafts.length;
  for (let i = 0; i < engineerCount; i++) {
    const info = regionOf(i, engineerCount);
    const managers = managersByRegion.get(info.region) ?? [...managersByRegion.values()].flat();
    const manager = managers.length > 0 ? random.pick(managers) : vp;
    engineers.push(
      add(pickName(), random.pick(engineerTitles), info.region, info.group, manager.person.name),
    );
  }
  for (const draft of drafts) {
    const focus = random.pick(FOCUSES);
    const second = random.pick(FOCUSES);
    const split = random.pick([100, 80, 60, 50]);
    draft.person.focuses =
      split === 100 || second === focus
        ? [{ name: FOCUS_LABELS[focus], percentage: 100 }]
        : [
            { name: FOCUS_LABELS[focus], percentage: split },
            { name: FOCUS_LABELS[second], percentage: 100 - split },
          ];
  }

  // --- Rotations and their schedules ------------------------------------------------------------------
  const rotationCatalog: Omit<RotationPlan, "scheduleIds">[] = [
    ...GROUPS.map((group) => ({
      id: `smoc-${group}`,
      name: `Support Manager On-call - ${group.toUpperCase()}`,
      group,
      kind: "smoc" as const,
      focus: null,
    })),
    ...GROUPS.map((group) => ({
      id: `ceoc-${group}`,
      name: `Customer Emergencies - ${group.toUpperCase()}`,
      group,
      kind: "ceoc" as const,
      focus: null,
    })),
    ...FOCUSES.flatMap((focus) =>
      GROUPS.map((group) => ({
        id: `l2-${focus}-${group}`,
        name: `${FOCUS_LABELS[focus]} Escalations - ${group.toUpperCase()}`,
        group,
        kind: "focus" as const,
        focus,
      })),
    ),
  ];
  const scheduleCount = Math.max(1, options.schedules);
  const rotations: RotationPlan[] = rotationCatalog
    .slice(0, scheduleCount)
    .map((rotation) => ({ ...rotation, scheduleIds: [] }));
  for (let i = 0; i < scheduleCount; i++) {
    const rotation = rotations[i % rotations.length];
    rotation?.scheduleIds.push(scheduleId(`schedule-${i}`));
  }
  const rotationIds = new Set(rotations.map((r) => r.id));

  // Field-rule membership: most engineers in their region's CEOC, some in a focus rotation too.
  for (const engineer of engineers) {
    const ceoc = `ceoc-${engineer.group}`;
    if (rotationIds.has(ceoc) && random.chance(0.7)) engineer.rotations.push(ceoc);
    const focusName = engineer.person.focuses?.[0]?.name;
    const focus = FOCUSES.find((f) => FOCUS_LABELS[f] === focusName);
    const focusRotation = `l2-${focus}-${engineer.group}`;
    if (focus && rotationIds.has(focusRotation) && random.chance(0.45))
      engineer.rotations.push(focusRotation);
    if (engineer.rotations.length > 0) engineer.person.pagerduty = { rotations: [...engineer.rotations] };
  }
  // Where-rule membership (title contains "Manager", region in the group): every manager.
  for (const managers of managersByRegion.values()) {
    for (const manager of managers) {
      const smoc = `smoc-${manager.group}`;
      if (rotationIds.has(smoc)) manager.rotations.push(smoc);
    }
  }

  // --- PagerDuty users for the roster -----------------------------------------------------------------
  for (const draft of drafts) {
    const id = userId(draft.person.name);
    const title = draft.person.title ?? undefined;
    draft.user = pagerDutyUser({
      id,
      name: draft.person.name,
      email: draft.person.email,
      time_zone: draft.person.tzdata_timezone ?? undefined,
      ...(title ? { job_title: title } : {}),
      role:
        draft === vp ? "owner" : title?.includes("Manager") || title?.includes("Director") ? "admin" : "user",
    });
    draft.person.pagerduty = { id, ...(draft.person.pagerduty ?? {}) };
  }

  // --- Problems, on engineers only (the VP is exempt; managers stay clean so SMOC stays readable) ------
  const pool = random.shuffle(engineers);
  const take = (rate: number): Draft[] => pool.splice(0, Math.max(1, Math.round(engineers.length * rate)));
  const missingFromSchedule = new Set<Draft>();
  if (pool.length > 20) {
    for (const draft of take(RATES.missingId)) {
      // Half have an account with their email (the fix is copying its ID), half none at all.
      if (draft.person.pagerduty) delete draft.person.pagerduty.id;
      if (random.chance(0.5)) draft.user = null;
    }
    for (const draft of take(RATES.unknownId)) {
      if (draft.person.pagerduty) draft.person.pagerduty.id = userId(`${draft.person.name}:typo`);
    }
    for (const draft of take(RATES.duplicateId)) {
      const other = random.pick(engineers.filter((e) => e !== draft && e.person.pagerduty?.id));
      if (draft.person.pagerduty && other.person.pagerduty?.id)
        draft.person.pagerduty.id = other.person.pagerduty.id;
    }
    for (const draft of take(RATES.emailMismatch)) {
      if (draft.user) draft.user.email = `${gitlabUsernameOf(draft.person.name)}@legacy.example.com`;
    }
    for (const draft of take(RATES.notPageable)) {
      if (!draft.user) continue;
      draft.user.notification_rules = [];
      if (random.chance(0.5)) draft.user.contact_methods = [];
    }
    for (const draft of take(RATES.invitationPending)) {
      if (draft.user) draft.user.invitation_sent = true;
    }
    for (const draft of take(RATES.missingFromSchedule)) missingFromSchedule.add(draft);
  }

  // --- Extra PagerDuty users: other departments, ex-staff, some deleted -------------------------------
  const extras: SandboxUser[] = [];
  const rosterUsers = drafts.filter((d) => d.user !== null).length;
  const extraCount =
    options.pagerDutyUsers === undefined
      ? options.extraPagerDutyUsers
      : Math.max(0, options.pagerDutyUsers - rosterUsers);
  for (let i = 0; i < extraCount; i++) {
    const name = pickName();
    const id = userId(name);
    extras.push(
      pagerDutyUser({
        id,
        name,
        email: emailOf(name),
        job_title: random.pick([
          "Site Reliability Engineer",
          "Backend Engineer",
          "Account Executive",
          "Product Manager",
        ]),
        time_zone: random.pick(REGIONS).zones[0],
        deleted_at: random.chance(RATES.deletedExtra) ? dayOffset(now, -random.int(1, 400)) : null,
      }),
    );
  }
  const liveExtras = extras.filter((u) => u.deleted_at === null);
  const deletedExtras = extras.filter((u) => u.deleted_at !== null);

  // --- Schedule contents ------------------------------------------------------------------------------
  const v3Count = Math.round(scheduleCount * Math.min(1, Math.max(0, options.v3Share)));
  const allScheduleIds = rotations.flatMap((r) => r.scheduleIds);
  const v3Ids = new Set(random.shuffle(allScheduleIds).slice(0, v3Count));
  const scheduleMembers = new Map<string, string[]>(allScheduleIds.map((id) => [id, []]));
  const scheduleOldMembers = new Map<string, string[]>(allScheduleIds.map((id) => [id, []]));
  const scheduleNames = new Map<string, string>();
  for (const rotation of rotations) {
    rotation.scheduleIds.forEach((id, i) => {
      const suffix =
        rotation.scheduleIds.length > 1
          ? ` (${["Primary", "Secondary", "Weekends", "Holidays"][i] ?? `Part ${i + 1}`})`
          : "";
      scheduleNames.set(id, `${rotation.name}${suffix}`);
    });
    const expected = drafts.filter((d) => d.rotations.includes(rotation.id));
    expected.forEach((draft, i) => {
      const uid = draft.user?.id ?? draft.person.pagerduty?.id;
      const target = rotation.scheduleIds[i % rotation.scheduleIds.length];
      if (!uid || !target) return;
      // Someone who left the rotation long ago still sits on an ended layer: realistic noise, no finding.
      if (random.chance(0.02)) scheduleOldMembers.get(target)?.push(uid);
      if (missingFromSchedule.has(draft)) return;
      scheduleMembers.get(target)?.push(uid);
    });
  }
  const addTo = (uid: string) => {
    const target = random.pick(allScheduleIds);
    scheduleMembers.get(target)?.push(uid);
  };
  // Unexpected: roster people put on a schedule of a rotation they are not in.
  for (const draft of pool.length > 20 ? take(RATES.unexpectedInSchedule) : []) {
    const uid = draft.user?.id;
    const target = random.pick(allScheduleIds);
    const owner = rotations.find((r) => r.scheduleIds.includes(target));
    if (uid && owner && !draft.rotations.includes(owner.id)) scheduleMembers.get(target)?.push(uid);
  }
  // Not in roster: live outsiders on schedules; deleted users left on layer-based schedules.
  const outsiders = Math.min(liveExtras.length, Math.max(1, Math.round(total * RATES.notInRosterOnSchedule)));
  for (const extra of liveExtras.slice(0, outsiders)) addTo(extra.id);
  const v2Ids = allScheduleIds.filter((id) => !v3Ids.has(id));
  for (const deleted of deletedExtras.slice(0, Math.max(1, Math.round(deletedExtras.length / 4)))) {
    if (v2Ids.length > 0) scheduleMembers.get(random.pick(v2Ids))?.push(deleted.id);
  }

  const schedules: SandboxSchedule[] = allScheduleIds.map((id) => {
    const name = scheduleNames.get(id) ?? id;
    const members = [...new Set(scheduleMembers.get(id) ?? [])];
    const old = [...new Set(scheduleOldMembers.get(id) ?? [])];
    const chunks = chunk(members, MAX_SLOT_MEMBERS);
    const timeZone = "Etc/UTC";
    if (v3Ids.has(id)) {
      const events: SandboxEvent[] = chunks.map((ids, i) => ({
        id: scheduleId(`${id}:event:${i}`),
        name: chunks.length > 1 ? `Weekly (group ${i + 1})` : "Weekly",
        effective_since: dayOffset(now, -random.int(7, 180)),
        effective_until: null,
        member_user_ids: ids.length > 0 ? ids : [null],
      }));
      if (old.length > 0) {
        events.push({
          id: scheduleId(`${id}:event:old`),
          name: "Weekly (previous pattern)",
          effective_since: dayOffset(now, -400),
          effective_until: dayOffset(now, -random.int(1, 60)),
          member_user_ids: old.slice(0, MAX_SLOT_MEMBERS),
        });
      }
      return {
        kind: "v3",
        id,
        name,
        time_zone: timeZone,
        rotations: [{ id: scheduleId(`${id}:rotation`), events }],
      };
    }
    const layers: SandboxLayer[] = chunks.map((ids, i) => ({
      id: scheduleId(`${id}:layer:${i}`),
      name: `Layer ${i + 1}`,
      start: dayOffset(now, -random.int(7, 365)),
      end: null,
      user_ids: ids,
    }));
    if (old.length > 0) {
      layers.unshift({
        id: scheduleId(`${id}:layer:old`),
        name: "Previous layer",
        start: dayOffset(now, -500),
        end: dayOffset(now, -random.int(1, 60)),
        user_ids: old,
      });
    }
    return { kind: "v2", id, name, time_zone: timeZone, layers };
  });

  const config: ScenarioConfig = {
    roster: { path: `./${ROSTER_FILE}` },
    pagerduty: { url: PLACEHOLDER_PAGERDUTY_URL },
    exempt: { titles: ["VP of Support"] },
    rotations: rotations.map((rotation, i) => ({
      id: rotation.id,
      name: rotation.name,
      // The first rotation also lists a retired schedule that exists nowhere.
      schedules: i === 0 ? [...rotation.scheduleIds, scheduleId("retired")] : rotation.scheduleIds,
      members:
        rotation.kind === "smoc"
          ? { where: { title: "Manager", region: GROUP_REGIONS[rotation.group] } }
          : { field: "pagerduty.rotations" },
    })),
  };

  return {
    roster: drafts.map((d) => d.person),
    config,
    pagerduty: {
      users:
        options.pagerDutyUsers === undefined
          ? [...drafts.flatMap((d) => (d.user ? [d.user] : [])), ...extras]
          : [...drafts.flatMap((d) => (d.user ? [d.user] : [])), ...extras].sort((a, b) =>
              a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
            ),
      schedules,
    },
  };
}

/** Unique full names: first + last, with a middle initial when the pair is taken. */
function createNamePicker(random: Random): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      let name = `${first} ${last}`;
      for (let i = 0; used.has(name) && i < 26; i++)
        name = `${first} ${String.fromCharCode(65 + i)}. ${last}`;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks.length > 0 ? chunks : [[]];
}
