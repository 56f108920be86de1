import type { ReactNode } from "react";
import { SCHEDULE_KIND_LABELS } from "@/lib/audit/labels";
import type { Finding, FindingCode } from "@/lib/audit/types";
import { suggestedRosterLineOf } from "@/lib/workflow/owners";
import { CopyButton } from "./copy-button";
import { Day } from "./time";

type Evidence = Finding["evidence"];
type EvidenceValue = Evidence[string];

/** Readable names of the checker's evidence keys; unknown keys are spelled out from their name. */
const KEY_LABELS: Record<string, string> = {
  schedule: "Schedule",
  rotation: "Rotation",
  roster_email: "Email in the roster",
  roster_pagerduty_id: "PagerDuty ID in the roster",
  suggested_pagerduty_id: "Suggested PagerDuty ID (same email)",
  also_used_by: "Also used by",
  pagerduty_email: "Email in PagerDuty",
  pagerduty_id: "PagerDuty user",
  pagerduty_ids: "PagerDuty users",
  pagerduty_known: "Known to PagerDuty",
  deleted_at: "Deleted in PagerDuty on",
  schedule_kind: "Schedule type",
  schedule_id: "Schedule ID",
  schedule_url: "Schedule page in PagerDuty",
  schedules: "Schedules of the rotation",
  rotations: "Rotations that own the schedule",
  contact_methods: "Contact methods",
  notification_rules: "Notification rules",
};

/**
 * Where the evidence's names and IDs lead; each answers null when there is no page to link (a PagerDuty
 * site not known yet, a name the roster does not hold).
 */
export interface EvidenceLinks {
  pagerDutyUser(id: string): string | null;
  pagerDutySchedule(id: string): string | null;
  /** The dashboard page of the roster person with this name. */
  person(name: string): string | null;
  /** A rotation's name for its id (the config's); the id when unknown. */
  rotationName(id: string): string;
}

const NO_LINKS: EvidenceLinks = {
  pagerDutyUser: () => null,
  pagerDutySchedule: () => null,
  person: () => null,
  rotationName: (id) => id,
};

const ROSTER_KEYS = new Set(["roster_email", "roster_pagerduty_id", "also_used_by"]);
const SCHEDULE_KEYS = new Set(["schedule_id", "schedule_kind", "schedule_url", "schedules", "rotations"]);

/**
 * What the roster and PagerDuty each say about a finding, side by side, with the schedule it concerns, so
 * a person can check it without opening either system.
 */
export function EvidenceList({
  code,
  evidence,
  schedule,
  rotation,
  links = NO_LINKS,
}: {
  code: FindingCode;
  evidence: Evidence;
  schedule: { id: string | null; name: string | null };
  rotation: string | null;
  links?: EvidenceLinks;
}) {
  const entries = Object.entries(evidence);
  const roster = entries.filter(([key]) => ROSTER_KEYS.has(key));
  const scheduleEntries = entries.filter(([key]) => SCHEDULE_KEYS.has(key));
  const pagerduty = entries.filter(([key]) => !ROSTER_KEYS.has(key) && !SCHEDULE_KEYS.has(key));
  const where: [string, EvidenceValue][] = [
    ...(schedule.id || schedule.name
      ? [
          ["schedule", schedule.name ? `${schedule.name} (${schedule.id ?? "no ID"})` : schedule.id] as [
            string,
            EvidenceValue,
          ],
        ]
      : []),
    ...(rotation ? [["rotation", rotation] as [string, EvidenceValue]] : []),
    // The schedule's own page is linked from its name; its ID is in the name's line.
    ...scheduleEntries.filter(
      ([key]) => !(key === "schedule_id" && schedule.id) && !(key === "schedule_url" && schedule.id),
    ),
  ];
  const render = (key: string, value: EvidenceValue): ReactNode =>
    renderValue(key, value, { code, schedule, links, pageOfSchedule: urlOf(evidence.schedule_url) });
  const groups = [
    { title: "Schedule", entries: where },
    { title: "PagerDuty says", entries: pagerduty },
    { title: "Roster says", entries: roster },
  ].filter((group) => group.entries.length > 0);
  if (groups.length === 0) return null;
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      {groups.map((group) => (
        <div key={group.title}>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{group.title}</h4>
          <dl className="mt-1 space-y-1.5 text-sm">
            {group.entries.map(([key, value]) => (
              <div key={key}>
                <dt className="text-xs text-slate-500">{KEY_LABELS[key] ?? spellOut(key)}</dt>
                <dd className="break-words font-mono text-[13px] text-slate-900">{render(key, value)}</dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
    </div>
  );
}

/** Keys whose values are PagerDuty user IDs, each linked to the user's page. */
const USER_ID_KEYS = new Set([
  "pagerduty_id",
  "pagerduty_ids",
  "suggested_pagerduty_id",
  "roster_pagerduty_id",
]);

/**
 * A value as people act on it: IDs and names linked to their pages, a suggested ID with a copy button, a
 * schedule kind by its one name, a moment as a date (never the raw ISO text).
 */
function renderValue(
  key: string,
  value: EvidenceValue,
  context: {
    code: FindingCode;
    schedule: { id: string | null; name: string | null };
    links: EvidenceLinks;
    /** The schedule's page as PagerDuty gave it to the run, when it did. */
    pageOfSchedule: string | null;
  },
): ReactNode {
  const { code, schedule, links, pageOfSchedule } = context;
  if (value === null || (Array.isArray(value) && value.length === 0)) return formatValue(value);
  if (key === "schedule" && schedule.id) {
    return linkOr(pageOfSchedule ?? links.pagerDutySchedule(schedule.id), String(value));
  }
  if (key === "rotation" && typeof value === "string") {
    const name = links.rotationName(value);
    return name === value ? value : `${name} (${value})`;
  }
  if (key === "schedule_url" && typeof value === "string") return linkOr(value, "Open in PagerDuty");
  if (key === "schedule_kind" && (value === "v2" || value === "v3")) return SCHEDULE_KIND_LABELS[value];
  if (key === "deleted_at" && typeof value === "string" && !Number.isNaN(Date.parse(value))) {
    return <Day day={value} />;
  }
  if (key === "schedules" && Array.isArray(value))
    return list(value, (id) => linkOr(links.pagerDutySchedule(id), id));
  if (key === "rotations" && Array.isArray(value)) return value.map(links.rotationName).join(", ");
  if (key === "also_used_by" && Array.isArray(value))
    return list(value, (name) => linkOr(links.person(name), name));
  // An ID PagerDuty does not know, or a deleted user's, has no page.
  const userHasPage = !(
    (key === "roster_pagerduty_id" && code === "unknown_pagerduty_id") ||
    code === "deleted_user_in_schedule"
  );
  if (USER_ID_KEYS.has(key) && userHasPage) {
    const ids = Array.isArray(value) ? value : typeof value === "string" ? [value] : null;
    if (ids) {
      const linked = list(ids, (id) => linkOr(links.pagerDutyUser(id), id));
      const line =
        key === "suggested_pagerduty_id" ? suggestedRosterLineOf({ suggested_pagerduty_id: value }) : null;
      return line ? (
        <span className="flex flex-wrap items-center gap-2">
          {linked}
          <CopyButton value={line} label={line} />
        </span>
      ) : (
        linked
      );
    }
  }
  return formatValue(value);
}

function urlOf(value: EvidenceValue | undefined): string | null {
  return typeof value === "string" && URL.canParse(value) ? value : null;
}

function list(values: readonly string[], each: (value: string) => ReactNode): ReactNode {
  return values.map((value, index) => (
    <span key={value}>
      {index > 0 && ", "}
      {each(value)}
    </span>
  ));
}

function linkOr(href: string | null, text: string): ReactNode {
  if (href === null) return text;
  const external = /^https?:/.test(href);
  return (
    <a
      href={href}
      {...(external ? { target: "_blank", rel: "noreferrer" } : {})}
      className="text-indigo-700 underline decoration-indigo-300 hover:decoration-indigo-700"
    >
      {text}
      {external && <span className="sr-only"> (opens in a new tab)</span>}
    </a>
  );
}

function formatValue(value: EvidenceValue): string {
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(", ");
  return String(value);
}

function spellOut(key: string): string {
  const words = key
    .split("_")
    .map((word) =>
      word === "pagerduty" ? "PagerDuty" : word === "id" ? "ID" : word === "ids" ? "IDs" : word,
    );
  const [first = "", ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(" ");
}
