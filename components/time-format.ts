/**
 * How the dashboard writes times: one format for a moment (`24 Nov 2026, 14:05 UTC`), one for a day, one for
 * durations. Pure, for server and browser alike; components/time.tsx shows them.
 */

const DATE_TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
};

/** Formats kept per set of options; a roster names a few dozen zones, the bound guards against a flood. */
const FORMATS_KEPT = 1_000;

/**
 * The format with `options` in a zone, built once per zone (building one costs about a millisecond, a page
 * formats many times); null for a zone the runtime does not know.
 */
function formatsIn(options: Intl.DateTimeFormatOptions): (zone: string) => Intl.DateTimeFormat | null {
  const formats = new Map<string, Intl.DateTimeFormat | null>();
  return (zone) => {
    let format = formats.get(zone);
    if (format === undefined) {
      try {
        format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone });
      } catch {
        format = null;
      }
      if (formats.size >= FORMATS_KEPT) formats.clear();
      formats.set(zone, format);
    }
    return format;
  };
}

/** The moment format in a zone. */
const dateTimeFormatIn = formatsIn(DATE_TIME_OPTIONS);

const DAY = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
});

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * `24 Nov 2026, 14:05 UTC`, or in `zone` (the viewer's): `24 Nov 2026, 15:05 Europe/Berlin`. A zone the
 * runtime does not know reads as UTC.
 */
export function formatDateTime(iso: string, zone: string | null = null): string {
  const local = zone && zone !== "UTC" ? dateTimeFormatIn(zone) : null;
  if (local && zone) return `${local.format(new Date(iso))} ${zone}`;
  return `${(dateTimeFormatIn("UTC") as Intl.DateTimeFormat).format(new Date(iso))} UTC`;
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

/**
 * A moment as the clock reads in `zone`, for a person elsewhere: `Wed 2 Dec, 11:00 Europe/Berlin`. Null when
 * `zone` is not one the runtime knows (a roster typo), so the page shows only the UTC time.
 */
export function formatInZone(iso: string, zone: string): string | null {
  const format = zoneFormatIn(zone);
  return format ? `${format.format(new Date(iso))} ${zone}` : null;
}

/** `formatInZone`'s format in a zone: the weekday, without the year. */
const zoneFormatIn = formatsIn({
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
