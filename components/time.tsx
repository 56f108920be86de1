/**
 * Times as the dashboard shows them. Everything is shown in UTC, so the server and the browser render the
 * same text and people in different regions read the same moment.
 */

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

const DAY = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
});

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** `24 Nov 2026, 14:05 UTC`. */
export function formatDateTime(iso: string): string {
  return `${DATE_TIME.format(new Date(iso))} UTC`;
}

/** `Sat, 31 Oct 2026` for a `YYYY-MM-DD` day (or an ISO time's UTC day). */
export function formatDay(day: string): string {
  return DAY.format(new Date(day.length === 10 ? `${day}T00:00:00Z` : day));
}

/** A duration in words: `35 min`, `41 h`, `5 d 3 h`. Rounded up for what is still to come. */
export function formatDuration(ms: number, round: "up" | "down" = "down"): string {
  const roundTo = (value: number) => (round === "up" ? Math.ceil(value) : Math.floor(value));
  if (ms < HOUR_MS) return `${Math.max(1, roundTo(ms / MINUTE_MS))} min`;
  const hours = roundTo(ms / HOUR_MS);
  if (hours < 100) return `${hours} h`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest === 0 ? `${days} d` : `${days} d ${rest} h`;
}

/** `in 41 h`, `overdue 8 h`, `due now`, relative to `now` (the app's clock, which the demo can move). */
export function formatDueIn(dueAt: string, now: string): string {
  const delta = Date.parse(dueAt) - Date.parse(now);
  if (Math.abs(delta) < MINUTE_MS) return "due now";
  return delta > 0 ? `in ${formatDuration(delta, "up")}` : `overdue ${formatDuration(-delta)}`;
}

/** `3 h ago`, `just now`. */
export function formatAgo(at: string, now: string): string {
  const delta = Date.parse(now) - Date.parse(at);
  if (delta < MINUTE_MS) return "just now";
  return `${formatDuration(delta)} ago`;
}

/** A moment, readable, with the machine-readable value and the full time on hover. */
export function DateTime({ iso, now }: { iso: string; /** Also say how long ago. */ now?: string }) {
  const full = formatDateTime(iso);
  return (
    <time dateTime={iso} title={full}>
      {full}
      {now && <span className="text-slate-500"> ({formatAgo(iso, now)})</span>}
    </time>
  );
}

/** A calendar day (`YYYY-MM-DD`). */
export function Day({ day }: { day: string }) {
  return <time dateTime={day}>{formatDay(day)}</time>;
}

/** When a timed action is due, relative to `now`; overdue in red. */
export function DueIn({ dueAt, now }: { dueAt: string; now: string }) {
  const overdue = Date.parse(dueAt) <= Date.parse(now);
  return (
    <time
      dateTime={dueAt}
      title={formatDateTime(dueAt)}
      className={overdue ? "font-medium text-rose-700" : "text-slate-700"}
    >
      {formatDueIn(dueAt, now)}
    </time>
  );
}

/**
 * A moment as the clock reads in `zone`, for a person elsewhere: `Wed 2 Dec, 11:00 Europe/Berlin`. Null when
 * `zone` is not one the runtime knows (a roster typo), so the page shows only the UTC time.
 */
export function formatInZone(iso: string, zone: string): string | null {
  try {
    const text = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(iso));
    return `${text} ${zone}`;
  } catch {
    return null;
  }
}

/**
 * A due moment for a person: when, relative to now, and their own clock's time where they have a zone
 * (`whose`: "your" on a page that speaks to that person).
 */
export function DueFor({
  dueAt,
  now,
  zone,
  whose = "their",
}: {
  dueAt: string;
  now: string;
  zone: string | null;
  whose?: "their" | "your";
}) {
  const local = zone ? formatInZone(dueAt, zone) : null;
  return (
    <>
      <DueIn dueAt={dueAt} now={now} />
      {local && (
        <span className="text-slate-500">
          {" "}
          ({local} {whose} time)
        </span>
      )}
    </>
  );
}
