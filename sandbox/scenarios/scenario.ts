/**
 * What a scenario is, and the small builders the demo and bench generators share. Everything here is pure
 * and deterministic: the same input gives the same output.
 */
import type * as z from "zod";
import type { AuditConfigSchema } from "@/lib/config/schema";
import type { RosterPerson } from "@/lib/roster/schema";
import type {
  PagerDutyState,
  SandboxContactMethod,
  SandboxNotificationRule,
  SandboxUser,
} from "../pagerduty/types";

/** The audit config as written in `audit.config.yaml`: defaulted fields may be left out. */
export type ScenarioConfig = z.input<typeof AuditConfigSchema>;

export interface Scenario {
  /** Roster entries in file order, as written to `support-team.yaml`. */
  roster: RosterPerson[];
  config: ScenarioConfig;
  /** What the sandbox PagerDuty serves. */
  pagerduty: PagerDutyState;
}

/** Where the generated config points before `writeScenario` fills in the sandbox's real URL. */
export const PLACEHOLDER_PAGERDUTY_URL = "http://127.0.0.1:8080";
export const ROSTER_FILE = "support-team.yaml";
export const EMAIL_DOMAIN = "example.com";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** FNV-1a, 32 bit: a stable hash so IDs derive from names instead of from call order. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A PagerDuty-looking ID (`P` + 6 uppercase letters or digits) derived from `key`. */
export function pagerDutyIdFor(key: string): string {
  let a = fnv1a(key);
  let b = fnv1a(key, 0x9747b28c);
  let id = "P";
  for (let i = 0; i < 6; i++) {
    const source = i < 3 ? a : b;
    id += ID_ALPHABET[source % ID_ALPHABET.length];
    if (i < 3) a = Math.floor(a / ID_ALPHABET.length);
    else b = Math.floor(b / ID_ALPHABET.length);
  }
  return id;
}

/**
 * Hands out unique PagerDuty IDs derived from keys; a collision (rare: 36^6 values) is resolved by hashing
 * the key again with a counter, so the result still depends only on the keys and their order.
 */
export function createIdAllocator(namespace: string): (key: string) => string {
  const used = new Set<string>();
  return (key) => {
    let id = pagerDutyIdFor(`${namespace}:${key}`);
    for (let n = 1; used.has(id); n++) id = pagerDutyIdFor(`${namespace}:${key}#${n}`);
    used.add(id);
    return id;
  };
}

/** `Tomás O'Brien` → `tomas.obrien`: ASCII, lower case, words joined by dots. */
export function slugOf(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, ".")
    .replace(/^\.+|\.+$/g, "");
}

export function emailOf(name: string, domain = EMAIL_DOMAIN): string {
  return `${slugOf(name)}@${domain}`;
}

/** `Tomás O'Brien` → `tobrien`: first initial and last word, the usual GitLab handle shape. */
export function gitlabUsernameOf(name: string): string {
  const words = slugOf(name).split(".");
  return `${words[0]?.[0] ?? ""}${words.slice(1).join("")}`;
}

/** Midnight UTC `days` days from `now` (negative: in the past), as an ISO string. */
export function dayOffset(now: Date, days: number): string {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight + days * 86_400_000).toISOString();
}

/** A default time zone per roster region, for people whose row does not name one. */
export const REGION_TIME_ZONES: Record<string, string> = {
  "AMER-W": "America/Los_Angeles",
  "AMER-C": "America/Chicago",
  "AMER-E": "America/New_York",
  EMEA: "Europe/London",
  APAC: "Asia/Singapore",
};

/** What makes a PagerDuty user pageable: an email and a phone, each with a high-urgency rule. */
export function pageableSetup(
  userId: string,
  email: string,
): {
  contact_methods: SandboxContactMethod[];
  notification_rules: SandboxNotificationRule[];
} {
  const emailId = pagerDutyIdFor(`${userId}:contact:email`);
  const phoneId = pagerDutyIdFor(`${userId}:contact:phone`);
  const digits = String(fnv1a(userId) % 10_000_000).padStart(7, "0");
  return {
    contact_methods: [
      { id: emailId, type: "email_contact_method", summary: "Work", address: email },
      { id: phoneId, type: "phone_contact_method", summary: "Mobile", address: `555${digits}` },
    ],
    notification_rules: [
      {
        id: pagerDutyIdFor(`${userId}:rule:email`),
        type: "assignment_notification_rule",
        start_delay_in_minutes: 0,
        urgency: "high",
        contact_method_id: emailId,
      },
      {
        id: pagerDutyIdFor(`${userId}:rule:phone`),
        type: "assignment_notification_rule",
        start_delay_in_minutes: 5,
        urgency: "high",
        contact_method_id: phoneId,
      },
    ],
  };
}

/** A live, pageable PagerDuty user; `overrides` shapes the unusual ones. */
export function pagerDutyUser(
  fields: Pick<SandboxUser, "id" | "name" | "email"> & Partial<SandboxUser>,
): SandboxUser {
  return {
    invitation_sent: false,
    deleted_at: null,
    role: "user",
    ...pageableSetup(fields.id, fields.email),
    ...fields,
  };
}
