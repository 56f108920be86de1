import type { Finding } from "@/lib/audit/types";

type Evidence = Finding["evidence"];
type EvidenceValue = Evidence[string];

/** Readable names of the checker's evidence keys; unknown keys are spelled out from their name. */
const KEY_LABELS: Record<string, string> = {
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

const ROSTER_KEYS = new Set(["roster_email", "roster_pagerduty_id", "also_used_by"]);
const SCHEDULE_KEYS = new Set(["schedule_id", "schedule_kind", "schedule_url", "schedules", "rotations"]);

/**
 * What the roster and PagerDuty each say about a finding, side by side, with the schedule it concerns, so
 * a person can check it without opening either system.
 */
export function EvidenceList({
  evidence,
  schedule,
  rotation,
}: {
  evidence: Evidence;
  schedule: { id: string | null; name: string | null };
  rotation: string | null;
}) {
  const entries = Object.entries(evidence);
  const roster = entries.filter(([key]) => ROSTER_KEYS.has(key));
  const scheduleEntries = entries.filter(([key]) => SCHEDULE_KEYS.has(key));
  const pagerduty = entries.filter(([key]) => !ROSTER_KEYS.has(key) && !SCHEDULE_KEYS.has(key));
  const where: [string, EvidenceValue][] = [
    ...(schedule.id || schedule.name
      ? [
          ["Schedule", schedule.name ? `${schedule.name} (${schedule.id ?? "no ID"})` : schedule.id] as [
            string,
            EvidenceValue,
          ],
        ]
      : []),
    ...(rotation ? [["Rotation", rotation] as [string, EvidenceValue]] : []),
    ...scheduleEntries.filter(([key]) => !(key === "schedule_id" && schedule.id)),
  ];
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
                <dd className="break-words font-mono text-[13px] text-slate-900">{formatValue(value)}</dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
    </div>
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
