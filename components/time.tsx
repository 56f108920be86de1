/**
 * Times as the dashboard shows them (formats in time-format.ts). A moment is rendered in UTC on the server,
 * then in the viewer's own time zone once the page runs in their browser; days are the same everywhere.
 */
import { formatAgo, formatDateTime, formatDay, formatDueIn, formatInZone } from "./time-format";
import { ViewerDateTime } from "./viewer-time";

export {
  formatAgo,
  formatDateTime,
  formatDay,
  formatDueIn,
  formatDuration,
  formatInZone,
} from "./time-format";

/** A moment, readable, with the machine-readable value and the full time on hover. */
export function DateTime({ iso, now }: { iso: string; /** Also say how long ago. */ now?: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      <ViewerDateTime iso={iso} />
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
