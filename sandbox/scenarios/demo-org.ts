/**
 * The demo org: a hand-tuned support team of 59 roster entries, 10 PagerDuty schedules (layer-based and
 * shift-based) and 6 rotations, built so that every audit finding occurs at least once, with plausible
 * names and causes. `DEMO_EXPECTED` lists the findings the audit must report on it, and `DEMO_CLEAN` the
 * traps that must report nothing; keep both in step with the data below.
 */
import type { FindingCode } from "@/lib/audit/types";
import type { RosterPerson } from "@/lib/roster/schema";
import type { SandboxSchedule, SandboxUser } from "../pagerduty/types";
import {
  PLACEHOLDER_PAGERDUTY_URL,
  REGION_TIME_ZONES,
  ROSTER_FILE,
  dayOffset,
  emailOf,
  gitlabUsernameOf,
  pagerDutyIdFor,
  pagerDutyUser,
  slugOf,
  type Scenario,
} from "./scenario";

/** Schedule IDs, by what they are. `missingSmocApac` is configured but exists in neither API. */
export const DEMO_SCHEDULE_IDS = {
  ceocAmerPrimary: pagerDutyIdFor("demo-schedule:ceoc-amer-primary"),
  ceocAmerWeekends: pagerDutyIdFor("demo-schedule:ceoc-amer-weekends"),
  ceocAmerHolidays: pagerDutyIdFor("demo-schedule:ceoc-amer-holidays"),
  ceocEmea: pagerDutyIdFor("demo-schedule:ceoc-emea"),
  ceocApac: pagerDutyIdFor("demo-schedule:ceoc-apac"),
  smocAmer: pagerDutyIdFor("demo-schedule:smoc-amer"),
  smocEmea: pagerDutyIdFor("demo-schedule:smoc-emea"),
  smocApac: pagerDutyIdFor("demo-schedule:smoc-apac"),
  platformPrimary: pagerDutyIdFor("demo-schedule:platform-primary"),
  securityOnCall: pagerDutyIdFor("demo-schedule:security-on-call"),
  missingSmocApac: pagerDutyIdFor("demo-schedule:smoc-apac-retired"),
} as const;

/** A demo person's PagerDuty ID (also the roster's, unless a quirk below changes it). */
export function demoUserId(name: string): string {
  return pagerDutyIdFor(`demo-user:${name}`);
}

/** Ines Carvalho's roster ID: her real ID with the last character mistyped; no user has it. */
const INES_ID = demoUserId("Ines Carvalho");
export const DEMO_TYPO_ID = `${INES_ID.slice(0, 6)}${INES_ID.endsWith("X") ? "Y" : "X"}`;

interface Row {
  name: string;
  title: string;
  region: string;
  reportsTo: string;
  tz?: string;
  /** CEOC rotations, written to `pagerduty.rotations`. SMOC membership comes from title and region. */
  rotations?: string[];
}

/** A roster row: name, title, region, reports_to, then optionally a time zone (null: the region's) and rotations. */
function row(
  name: string,
  title: string,
  region: string,
  reportsTo: string,
  tz: string | null = null,
  rotations?: string[],
): Row {
  return { name, title, region, reportsTo, ...(tz ? { tz } : {}), ...(rotations ? { rotations } : {}) };
}

const ENGINEER = "Support Engineer";
const SENIOR = "Senior Support Engineer";
const STAFF = "Staff Support Engineer";
const MANAGER = "Support Engineering Manager";
const SENIOR_MANAGER = "Senior Support Engineering Manager";
const AMER = ["ceoc-amer"];
const EMEA = ["ceoc-emea"];
const APAC = ["ceoc-apac"];

const ROWS: Row[] = [
  row("Dana Whitfield", "VP of Support", "AMER-W", "Morgan Ellis"),
  row("Rebecca Stone", "Director of Support, AMER", "AMER-E", "Dana Whitfield"),
  row("Henrik Aalto", "Director of Support, EMEA", "EMEA", "Dana Whitfield", "Europe/Helsinki"),
  row("Vikram Iyer", "Director of Support, APAC", "APAC", "Dana Whitfield"),
  // Support Operations run the audit: the manager signs it off. Not on call.
  row("Sofia Reyes", "Support Operations Manager", "AMER-E", "Dana Whitfield"),
  row("Theo Marsh", "Support Operations Specialist", "EMEA", "Sofia Reyes", "Europe/London"),

  row("Marcus Oyelaran", MANAGER, "AMER-W", "Rebecca Stone"),
  row("Hannah Lindqvist", SENIOR_MANAGER, "AMER-C", "Rebecca Stone"),
  row("Diego Fuentes", MANAGER, "AMER-E", "Rebecca Stone"),
  row("Tessa Brooks", MANAGER, "AMER-E", "Rebecca Stone"),
  row("Fiona MacLeod", MANAGER, "EMEA", "Henrik Aalto"),
  row("Elodie Martin", SENIOR_MANAGER, "EMEA", "Henrik Aalto", "Europe/Paris"),
  row("Lukas Becker", MANAGER, "EMEA", "Henrik Aalto", "Europe/Berlin"),
  row("Hiroshi Yamamoto", MANAGER, "APAC", "Vikram Iyer", "Asia/Tokyo"),
  row("Priyanka Desai", MANAGER, "APAC", "Vikram Iyer", "Australia/Sydney"),

  row("Olivia Grant", ENGINEER, "AMER-W", "Marcus Oyelaran", null, AMER),
  row("Greg Tanaka", SENIOR, "AMER-W", "Marcus Oyelaran"),
  row("Ethan Caldwell", STAFF, "AMER-W", "Marcus Oyelaran", null, AMER),
  row("Sofia Marino", SENIOR, "AMER-W", "Marcus Oyelaran", null, AMER),
  row("Jamal Carter", ENGINEER, "AMER-W", "Marcus Oyelaran", null, AMER),
  row("Lily Nguyen", ENGINEER, "AMER-W", "Marcus Oyelaran", null, AMER),
  row("Ryan Kowalski", ENGINEER, "AMER-W", "Marcus Oyelaran"),

  row("Chloe Park", ENGINEER, "AMER-C", "Hannah Lindqvist"),
  row("Tomás Alvarez", SENIOR, "AMER-C", "Hannah Lindqvist", null, AMER),
  row("Aaron Fischer", ENGINEER, "AMER-C", "Hannah Lindqvist", null, AMER),
  row("Maya Patel", SENIOR, "AMER-C", "Hannah Lindqvist", null, AMER),
  row("Brandon Lee", ENGINEER, "AMER-C", "Hannah Lindqvist", null, AMER),
  row("Grace Holloway", STAFF, "AMER-C", "Hannah Lindqvist", null, AMER),
  row("Sean Murphy", ENGINEER, "AMER-C", "Hannah Lindqvist"),
  row("Sean Murray", ENGINEER, "AMER-C", "Hannah Lindqvist"),

  row("Kevin O'Brien", SENIOR, "AMER-E", "Diego Fuentes", null, AMER),
  row("Beatriz Souza", ENGINEER, "AMER-E", "Diego Fuentes", null, AMER),
  row("Natalie Rivers", ENGINEER, "AMER-E", "Diego Fuentes", null, AMER),
  row("Priya Raman", STAFF, "AMER-E", "Diego Fuentes"),
  row("Omar Haddad", SENIOR, "AMER-E", "Tessa Brooks", null, AMER),
  row("Julia Bennett", ENGINEER, "AMER-E", "Tessa Brooks", null, AMER),
  row("Derek Simmons", ENGINEER, "AMER-E", "Tessa Brooks", null, AMER),
  row("Ava Thompson", ENGINEER, "AMER-E", "Tessa Brooks"),

  row("Ines Carvalho", ENGINEER, "EMEA", "Elodie Martin", "Europe/Lisbon"),
  row("Nora Svensson", STAFF, "EMEA", "Fiona MacLeod", "Europe/Stockholm", EMEA),
  row("Yusuf Demir", SENIOR, "EMEA", "Fiona MacLeod", "Europe/Istanbul", EMEA),
  row("Liam O'Connor", ENGINEER, "EMEA", "Fiona MacLeod", "Europe/Dublin", EMEA),
  row("Emma Schulz", ENGINEER, "EMEA", "Lukas Becker", "Europe/Berlin", EMEA),
  row("Matteo Rossi", SENIOR, "EMEA", "Elodie Martin", "Europe/Rome", EMEA),
  row("Camille Dubois", ENGINEER, "EMEA", "Elodie Martin", "Europe/Paris", EMEA),
  row("Pieter de Vries", ENGINEER, "EMEA", "Lukas Becker", "Europe/Amsterdam", EMEA),
  row("Aisha Rahman", SENIOR, "EMEA", "Fiona MacLeod", null, EMEA),
  row("Jakub Nowak", ENGINEER, "EMEA", "Lukas Becker", "Europe/Warsaw", EMEA),
  row("Freya Hughes", ENGINEER, "EMEA", "Fiona MacLeod", null, EMEA),
  row("Oskar Lindgren", ENGINEER, "EMEA", "Lukas Becker", "Europe/Stockholm"),
  row("Sara Cohen", SENIOR, "EMEA", "Elodie Martin", "Asia/Jerusalem"),

  row("Rahul Menon", ENGINEER, "APAC", "Priyanka Desai", "Asia/Kolkata"),
  row("Amara Okafor", ENGINEER, "APAC", "Priyanka Desai", "Australia/Sydney", APAC),
  row("Mei Chen", SENIOR, "APAC", "Hiroshi Yamamoto", null, APAC),
  row("Kenji Watanabe", STAFF, "APAC", "Hiroshi Yamamoto", "Asia/Tokyo"),
  row("Wei Zhang", ENGINEER, "APAC", "Hiroshi Yamamoto", "Asia/Shanghai", APAC),
  row("Arjun Nair", ENGINEER, "APAC", "Priyanka Desai", "Asia/Kolkata", APAC),
  row("Hana Sato", SENIOR, "APAC", "Hiroshi Yamamoto", "Asia/Tokyo", APAC),
  row("Daniel Lim", ENGINEER, "APAC", "Hiroshi Yamamoto", null, APAC),
  row("Jessica Ng", ENGINEER, "APAC", "Priyanka Desai", "Australia/Sydney", APAC),
  row("Ravi Shankar", SENIOR, "APAC", "Priyanka Desai", "Asia/Kolkata"),
];

/** People PagerDuty knows and the roster does not. */
const PAGERDUTY_ONLY = {
  /** Left the company in the spring; the PagerDuty account was never deactivated. */
  exStaff: "Jordan Blake",
  /** A contractor covering APAC nights, added to PagerDuty but never to the roster. */
  contractor: "Sam Ortiz",
  /** Left and was deleted in PagerDuty, but is still on the EMEA layer. */
  deleted: "Victor Hale",
  /** Engineers outside support, on schedules the audit does not look at. */
  engineering: ["Noah Kim", "Isabel Ortega", "Felix Wagner", "Zara Ahmed", "Lucas Moreau"],
} as const;

const FOCUS_SETS = [
  [
    { name: "Self-managed", percentage: 70 },
    { name: "Upgrades", percentage: 30 },
  ],
  [
    { name: "SaaS", percentage: 60 },
    { name: "CI/CD", percentage: 40 },
  ],
  [{ name: "Licensing & Renewals", percentage: 100 }],
  [
    { name: "Security", percentage: 50 },
    { name: "Self-managed", percentage: 50 },
  ],
];

export interface DemoExpectedFinding {
  code: FindingCode;
  /** Roster name, or the PagerDuty name for people only in PagerDuty; null for schedule-level findings. */
  person: string | null;
  /** The PagerDuty ID the finding is about, where there is one. */
  pagerdutyId: string | null;
  /** Set when the finding is about one schedule; null when it is not tied to one. */
  scheduleId: string | null;
  /** Set when the finding is about one rotation; null when it is person-level. */
  rotation: string | null;
  why: string;
}

/**
 * Every finding the audit must report on the demo org, one row per finding, and no others: the data has
 * no accidental problems. Match a finding on `code`, `person` (finding person's name), and on
 * `scheduleId` / `rotation` where the row sets them.
 */
export const DEMO_EXPECTED: readonly DemoExpectedFinding[] = [
  {
    code: "missing_pagerduty_id",
    person: "Chloe Park",
    pagerdutyId: null,
    scheduleId: null,
    rotation: null,
    why: "New hire without pagerduty.id; a PagerDuty user with her email exists (the fix is to copy its ID).",
  },
  {
    code: "missing_pagerduty_id",
    person: "Rahul Menon",
    pagerdutyId: null,
    scheduleId: null,
    rotation: null,
    why: "No pagerduty.id and no PagerDuty account at all.",
  },
  {
    code: "unknown_pagerduty_id",
    person: "Ines Carvalho",
    pagerdutyId: DEMO_TYPO_ID,
    scheduleId: null,
    rotation: null,
    why: "Roster ID mistyped (last character); her real account has her email.",
  },
  {
    code: "unknown_pagerduty_id",
    person: "Greg Tanaka",
    pagerdutyId: demoUserId("Greg Tanaka"),
    scheduleId: null,
    rotation: null,
    why: "Roster ID points at a PagerDuty user that was deleted (404 on lookup).",
  },
  {
    code: "duplicate_pagerduty_id",
    person: "Sean Murphy",
    pagerdutyId: demoUserId("Sean Murphy"),
    scheduleId: null,
    rotation: null,
    why: "Sean Murray's entry was copied from his and kept his ID.",
  },
  {
    code: "duplicate_pagerduty_id",
    person: "Sean Murray",
    pagerdutyId: demoUserId("Sean Murphy"),
    scheduleId: null,
    rotation: null,
    why: "Copied entry: carries Sean Murphy's ID.",
  },
  {
    code: "email_mismatch",
    person: "Sean Murray",
    pagerdutyId: demoUserId("Sean Murphy"),
    scheduleId: null,
    rotation: null,
    why: "Follows from the duplicate: the ID's user is Sean Murphy, whose email differs.",
  },
  {
    code: "email_mismatch",
    person: "Beatriz Souza",
    pagerdutyId: demoUserId("Beatriz Souza"),
    scheduleId: null,
    rotation: null,
    why: "PagerDuty still has her old address bsouza@; the roster has beatriz.souza@.",
  },
  {
    code: "missing_from_schedule",
    person: "Amara Okafor",
    pagerdutyId: demoUserId("Amara Okafor"),
    scheduleId: null,
    rotation: "ceoc-apac",
    why: "In ceoc-apac per the roster, but only on the APAC event that ended two weeks ago.",
  },
  {
    code: "missing_from_schedule",
    person: "Lukas Becker",
    pagerdutyId: demoUserId("Lukas Becker"),
    scheduleId: null,
    rotation: "smoc-emea",
    why: "Newly promoted EMEA manager (title + region select him), not yet added to the SMOC EMEA schedule.",
  },
  {
    code: "unexpected_in_schedule",
    person: "Kevin O'Brien",
    pagerdutyId: demoUserId("Kevin O'Brien"),
    scheduleId: DEMO_SCHEDULE_IDS.ceocEmea,
    rotation: "ceoc-emea",
    why: "AMER engineer (ceoc-amer only) left on the EMEA layer after covering a gap.",
  },
  {
    code: "unexpected_in_schedule",
    person: "Nora Svensson",
    pagerdutyId: demoUserId("Nora Svensson"),
    scheduleId: DEMO_SCHEDULE_IDS.smocEmea,
    rotation: "smoc-emea",
    why: "Staff engineer (not a manager) on the SMOC EMEA schedule.",
  },
  {
    code: "not_in_roster",
    person: PAGERDUTY_ONLY.exStaff,
    pagerdutyId: demoUserId(PAGERDUTY_ONLY.exStaff),
    scheduleId: DEMO_SCHEDULE_IDS.ceocAmerPrimary,
    rotation: "ceoc-amer",
    why: "Ex-staff whose PagerDuty account is still active and on the AMER primary layer.",
  },
  {
    code: "not_in_roster",
    person: PAGERDUTY_ONLY.contractor,
    pagerdutyId: demoUserId(PAGERDUTY_ONLY.contractor),
    scheduleId: DEMO_SCHEDULE_IDS.ceocApac,
    rotation: "ceoc-apac",
    why: "Contractor on the APAC shift-based schedule, never added to the roster.",
  },
  {
    code: "deleted_user_in_schedule",
    person: PAGERDUTY_ONLY.deleted,
    pagerdutyId: demoUserId(PAGERDUTY_ONLY.deleted),
    scheduleId: DEMO_SCHEDULE_IDS.ceocEmea,
    rotation: "ceoc-emea",
    why: "Deleted PagerDuty user still on the current EMEA layer (reported as deleted, not as not_in_roster).",
  },
  {
    code: "not_pageable",
    person: "Tomás Alvarez",
    pagerdutyId: demoUserId("Tomás Alvarez"),
    scheduleId: null,
    rotation: null,
    why: "ceoc-amer member whose PagerDuty user has no contact methods (and so no notification rules).",
  },
  {
    code: "not_pageable",
    person: "Mei Chen",
    pagerdutyId: demoUserId("Mei Chen"),
    scheduleId: null,
    rotation: null,
    why: "ceoc-apac member with an email contact method but no notification rules.",
  },
  {
    code: "invitation_pending",
    person: "Olivia Grant",
    pagerdutyId: demoUserId("Olivia Grant"),
    scheduleId: null,
    rotation: null,
    why: "ceoc-amer member (weekend schedule) who has not accepted the PagerDuty invitation.",
  },
  {
    code: "schedule_not_found",
    person: null,
    pagerdutyId: null,
    scheduleId: DEMO_SCHEDULE_IDS.missingSmocApac,
    rotation: "smoc-apac",
    why: "The config still lists a retired SMOC APAC schedule that exists neither as v2 nor v3.",
  },
];

/** Traps: people who sit somewhere that looks like a problem but is not, and must get no finding. */
export const DEMO_CLEAN: readonly { person: string; why: string }[] = [
  { person: "Dana Whitfield", why: "VP of Support (exempt title) on the SMOC AMER backstop layer." },
  {
    person: "Yusuf Demir",
    why: "On the AMER primary layer that ended 30 days ago (moved to EMEA); correctly on the EMEA layer.",
  },
  {
    person: "Kenji Watanabe",
    why: "Only on the APAC event whose effective_until is in the past; no longer in ceoc-apac.",
  },
];

const names = (...list: string[]): string[] => list.map(demoUserId);

/**
 * Builds the demo org relative to `now` (layer and event dates are days before or after it). Pure: the
 * same `now` gives the same scenario.
 */
export function generateDemoOrg({ now }: { now: Date }): Scenario {
  const roster = ROWS.map((row, index) => rosterPersonOf(row, index));
  const byName = new Map(roster.map((person) => [person.name, person]));
  const person = (name: string): RosterPerson => {
    const found = byName.get(name);
    if (!found) throw new Error(`demo roster has no ${name}`);
    return found;
  };

  const users = new Map<string, SandboxUser>();
  for (const row of ROWS) {
    const id = demoUserId(row.name);
    users.set(
      row.name,
      pagerDutyUser({
        id,
        name: row.name,
        email: emailOf(row.name),
        job_title: row.title,
        time_zone: row.tz ?? REGION_TIME_ZONES[row.region],
        role: row.title === "VP of Support" ? "owner" : row.title.includes("Manager") ? "admin" : "user",
      }),
    );
  }
  const user = (name: string): SandboxUser => {
    const found = users.get(name);
    if (!found) throw new Error(`demo PagerDuty has no ${name}`);
    return found;
  };

  // --- The quirks, one per DEMO_EXPECTED row ------------------------------------------------------------
  delete person("Chloe Park").pagerduty; // her PagerDuty user exists, with her email
  delete person("Rahul Menon").pagerduty;
  users.delete("Rahul Menon");
  person("Ines Carvalho").pagerduty = { id: DEMO_TYPO_ID };
  user("Greg Tanaka").deleted_at = dayOffset(now, -45);
  person("Sean Murray").pagerduty = { id: demoUserId("Sean Murphy") };
  user("Beatriz Souza").email = `bsouza@example.com`;
  user("Tomás Alvarez").contact_methods = [];
  user("Tomás Alvarez").notification_rules = [];
  user("Mei Chen").notification_rules = [];
  user("Olivia Grant").invitation_sent = true;

  const outsiders: SandboxUser[] = [
    pagerDutyUser({
      id: demoUserId(PAGERDUTY_ONLY.exStaff),
      name: PAGERDUTY_ONLY.exStaff,
      email: emailOf(PAGERDUTY_ONLY.exStaff),
      job_title: SENIOR,
      time_zone: "America/Denver",
    }),
    pagerDutyUser({
      id: demoUserId(PAGERDUTY_ONLY.contractor),
      name: PAGERDUTY_ONLY.contractor,
      email: emailOf(PAGERDUTY_ONLY.contractor, "contractors.example.com"),
      job_title: "Support Contractor",
      time_zone: "Asia/Manila",
    }),
    pagerDutyUser({
      id: demoUserId(PAGERDUTY_ONLY.deleted),
      name: PAGERDUTY_ONLY.deleted,
      email: emailOf(PAGERDUTY_ONLY.deleted),
      job_title: ENGINEER,
      time_zone: "Europe/London",
      deleted_at: dayOffset(now, -20),
    }),
    ...PAGERDUTY_ONLY.engineering.map((name) =>
      pagerDutyUser({
        id: demoUserId(name),
        name,
        email: emailOf(name),
        job_title: "Site Reliability Engineer",
        time_zone: "America/New_York",
      }),
    ),
  ];

  const ids = DEMO_SCHEDULE_IDS;
  const current = dayOffset(now, -30);
  const v3Since = dayOffset(now, -60);
  const schedules: SandboxSchedule[] = [
    {
      kind: "v2",
      id: ids.ceocAmerPrimary,
      name: "Customer Emergencies - AMER (Primary)",
      time_zone: "America/New_York",
      layers: [
        {
          // Ended 30 days ago: Yusuf moved to EMEA. Must not count as membership.
          id: pagerDutyIdFor("demo-layer:ceoc-amer-old"),
          name: "Primary (before the re-org)",
          start: dayOffset(now, -400),
          end: current,
          user_ids: names("Yusuf Demir", "Sofia Marino", "Ethan Caldwell"),
        },
        {
          id: pagerDutyIdFor("demo-layer:ceoc-amer-primary"),
          name: "Primary",
          start: current,
          end: null,
          user_ids: names(
            "Ethan Caldwell",
            "Sofia Marino",
            "Jamal Carter",
            "Lily Nguyen",
            "Tomás Alvarez",
            "Aaron Fischer",
            "Maya Patel",
            "Kevin O'Brien",
            "Beatriz Souza",
            PAGERDUTY_ONLY.exStaff,
          ),
        },
      ],
    },
    {
      kind: "v3",
      id: ids.ceocAmerWeekends,
      name: "Customer Emergencies - AMER (Weekends)",
      time_zone: "America/Chicago",
      rotations: [
        {
          id: pagerDutyIdFor("demo-rotation:ceoc-amer-weekends"),
          events: [
            {
              id: pagerDutyIdFor("demo-event:ceoc-amer-weekends"),
              name: "Weekend coverage",
              effective_since: v3Since,
              effective_until: null,
              member_user_ids: names("Olivia Grant", "Brandon Lee", "Grace Holloway", "Natalie Rivers"),
            },
          ],
        },
      ],
    },
    {
      kind: "v3",
      id: ids.ceocAmerHolidays,
      name: "Customer Emergencies - AMER (Holidays)",
      time_zone: "America/New_York",
      rotations: [
        {
          id: pagerDutyIdFor("demo-rotation:ceoc-amer-holidays"),
          events: [
            {
              id: pagerDutyIdFor("demo-event:ceoc-amer-holidays"),
              name: "US holidays",
              effective_since: v3Since,
              effective_until: dayOffset(now, 300),
              member_user_ids: names("Omar Haddad", "Julia Bennett", "Derek Simmons", "Ethan Caldwell"),
            },
          ],
        },
      ],
    },
    {
      kind: "v2",
      id: ids.ceocEmea,
      name: "Customer Emergencies - EMEA",
      time_zone: "Europe/London",
      layers: [
        {
          id: pagerDutyIdFor("demo-layer:ceoc-emea"),
          name: "EMEA weekly",
          start: dayOffset(now, -180),
          end: null,
          user_ids: names(
            "Nora Svensson",
            "Yusuf Demir",
            "Liam O'Connor",
            "Emma Schulz",
            "Matteo Rossi",
            "Camille Dubois",
            "Pieter de Vries",
            "Aisha Rahman",
            "Jakub Nowak",
            "Freya Hughes",
            "Kevin O'Brien",
            PAGERDUTY_ONLY.deleted,
          ),
        },
      ],
    },
    {
      kind: "v3",
      id: ids.ceocApac,
      name: "Customer Emergencies - APAC",
      time_zone: "Asia/Singapore",
      rotations: [
        {
          id: pagerDutyIdFor("demo-rotation:ceoc-apac"),
          events: [
            {
              id: pagerDutyIdFor("demo-event:ceoc-apac"),
              name: "APAC weekly",
              effective_since: dayOffset(now, -14),
              effective_until: null,
              member_user_ids: names(
                "Mei Chen",
                "Wei Zhang",
                "Arjun Nair",
                "Hana Sato",
                "Daniel Lim",
                "Jessica Ng",
                PAGERDUTY_ONLY.contractor,
              ),
            },
            {
              // Ended two weeks ago: neither Kenji nor Amara count as on the schedule now.
              id: pagerDutyIdFor("demo-event:ceoc-apac-old"),
              name: "APAC weekly (before the handover change)",
              effective_since: dayOffset(now, -200),
              effective_until: dayOffset(now, -14),
              member_user_ids: names("Kenji Watanabe", "Amara Okafor", "Wei Zhang"),
            },
          ],
        },
      ],
    },
    {
      kind: "v2",
      id: ids.smocAmer,
      name: "Support Manager On-call - AMER",
      time_zone: "America/New_York",
      layers: [
        {
          id: pagerDutyIdFor("demo-layer:smoc-amer"),
          name: "Managers",
          start: dayOffset(now, -120),
          end: null,
          user_ids: names("Marcus Oyelaran", "Hannah Lindqvist", "Diego Fuentes", "Tessa Brooks"),
        },
        {
          // The VP backs the managers up; exempt by title, so no finding.
          id: pagerDutyIdFor("demo-layer:smoc-amer-backstop"),
          name: "Executive backstop",
          start: dayOffset(now, -120),
          end: null,
          user_ids: names("Dana Whitfield"),
        },
      ],
    },
    {
      kind: "v3",
      id: ids.smocEmea,
      name: "Support Manager On-call - EMEA",
      time_zone: "Europe/Berlin",
      rotations: [
        {
          id: pagerDutyIdFor("demo-rotation:smoc-emea"),
          events: [
            {
              id: pagerDutyIdFor("demo-event:smoc-emea"),
              name: "EMEA managers weekly",
              effective_since: v3Since,
              effective_until: null,
              // The empty slot is the week Lukas should have taken.
              member_user_ids: [...names("Fiona MacLeod", "Elodie Martin", "Nora Svensson"), null],
            },
          ],
        },
      ],
    },
    {
      kind: "v2",
      id: ids.smocApac,
      name: "Support Manager On-call - APAC",
      time_zone: "Asia/Tokyo",
      layers: [
        {
          id: pagerDutyIdFor("demo-layer:smoc-apac"),
          name: "APAC managers",
          start: dayOffset(now, -90),
          end: null,
          user_ids: names("Hiroshi Yamamoto", "Priyanka Desai"),
        },
      ],
    },
    {
      kind: "v2",
      id: ids.platformPrimary,
      name: "Platform Engineering - Primary",
      time_zone: "America/New_York",
      layers: [
        {
          id: pagerDutyIdFor("demo-layer:platform"),
          name: "Platform primary",
          start: dayOffset(now, -365),
          end: null,
          user_ids: names(...PAGERDUTY_ONLY.engineering.slice(0, 3)),
        },
      ],
    },
    {
      kind: "v3",
      id: ids.securityOnCall,
      name: "Security Incident Response",
      time_zone: "Etc/UTC",
      rotations: [
        {
          id: pagerDutyIdFor("demo-rotation:security"),
          events: [
            {
              id: pagerDutyIdFor("demo-event:security"),
              name: "Security weekly",
              effective_since: v3Since,
              effective_until: null,
              member_user_ids: names(...PAGERDUTY_ONLY.engineering.slice(2)),
            },
          ],
        },
      ],
    },
  ];

  return {
    roster,
    config: {
      roster: { path: `./${ROSTER_FILE}` },
      pagerduty: { url: PLACEHOLDER_PAGERDUTY_URL },
      exempt: { titles: ["VP of Support"] },
      rotations: [
        {
          id: "ceoc-amer",
          name: "Customer Emergencies - AMER",
          schedules: [ids.ceocAmerPrimary, ids.ceocAmerWeekends, ids.ceocAmerHolidays],
          members: { field: "pagerduty.rotations" },
        },
        {
          id: "ceoc-emea",
          name: "Customer Emergencies - EMEA",
          schedules: [ids.ceocEmea],
          members: { field: "pagerduty.rotations" },
        },
        {
          id: "ceoc-apac",
          name: "Customer Emergencies - APAC",
          schedules: [ids.ceocApac],
          members: { field: "pagerduty.rotations" },
        },
        {
          id: "smoc-amer",
          name: "Support Manager On-call - AMER",
          schedules: [ids.smocAmer],
          members: {
            where: { title: "Support Engineering Manager", region: ["AMER-W", "AMER-C", "AMER-E"] },
          },
        },
        {
          id: "smoc-emea",
          name: "Support Manager On-call - EMEA",
          schedules: [ids.smocEmea],
          members: { where: { title: "Support Engineering Manager", region: "EMEA" } },
        },
        {
          id: "smoc-apac",
          name: "Support Manager On-call - APAC",
          schedules: [ids.smocApac, ids.missingSmocApac],
          members: { where: { title: "Support Engineering Manager", region: "APAC" } },
        },
      ],
    },
    pagerduty: { users: [...users.values(), ...outsiders], schedules },
  };
}

function rosterPersonOf(row: Row, index: number): RosterPerson {
  const slug = slugOf(row.name);
  // Start dates spread over the last decade, fixed per row so the demo reads the same every day.
  const year = 2016 + (index % 9);
  const month = String(1 + ((index * 5) % 12)).padStart(2, "0");
  const day = String(1 + ((index * 11) % 28)).padStart(2, "0");
  return {
    name: row.name,
    email: emailOf(row.name),
    title: row.title,
    reports_to: row.reportsTo,
    region: row.region,
    tzdata_timezone: row.tz ?? REGION_TIME_ZONES[row.region] ?? "Etc/UTC",
    start_date: `${year}-${month}-${day}`,
    pagerduty: row.rotations
      ? { id: demoUserId(row.name), rotations: [...row.rotations] }
      : { id: demoUserId(row.name) },
    gitlab: { username: gitlabUsernameOf(row.name) },
    slack: { username: slug },
    focuses: (FOCUS_SETS[index % FOCUS_SETS.length] ?? []).map((focus) => ({ ...focus })),
  };
}
