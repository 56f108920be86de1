import Link from "next/link";
import { CODE_LABELS } from "@/lib/audit/labels";
import type { ActivityEntry } from "@/lib/client/types";
import { CHASE_STEPS } from "@/lib/workflow/chase";
import { cn } from "./ui/cn";
import { DateTime, formatDay } from "./time";

/** The dots of the chase steps in order, warmer as the chase goes on (the last for any step beyond). */
const CHASE_DOTS = ["bg-sky-500", "bg-amber-500", "bg-rose-500"] as const;

const LOOKS: Record<ActivityEntry["action"], { label: string; dot: string }> = {
  ...(Object.fromEntries(
    CHASE_STEPS.map((step, i) => [
      step.action,
      { label: step.historyLabel, dot: CHASE_DOTS[Math.min(i, CHASE_DOTS.length - 1)] },
    ]),
  ) as Record<(typeof CHASE_STEPS)[number]["action"], { label: string; dot: string }>),
  remind: { label: "Reminded", dot: "bg-sky-300" },
  reply: { label: "Reply received", dot: "bg-emerald-500" },
  mark_intentional: { label: "Marked intentional", dot: "bg-emerald-600" },
  waive: { label: "Waived", dot: "bg-violet-500" },
  reopen: { label: "Reopened", dot: "bg-slate-500" },
  fixed_by_rerun: { label: "Found fixed by a re-run", dot: "bg-emerald-400" },
  recurred: { label: "Came back after a fix: a re-run found it again", dot: "bg-rose-400" },
  set_autopilot: { label: "Autopilot turned", dot: "bg-indigo-500" },
};

/** What an entry says happened. */
function labelOf(entry: ActivityEntry): string {
  if (entry.action === "set_autopilot") {
    // With a person, it was paused or resumed for them alone.
    if (entry.person) return entry.autopilot ? "Autopilot resumed for them" : "Autopilot paused for them";
    return `Autopilot turned ${entry.autopilot ? "on" : "off"}`;
  }
  return LOOKS[entry.action].label;
}

/** Who acted, as a reader says it: the replier by name (and username), a run as the audit run. */
function byline(entry: ActivityEntry): string {
  if (entry.action === "reply") {
    return entry.person ? `from ${entry.person.name} (@${entry.actor})` : `from @${entry.actor}`;
  }
  return entry.actor === "system" ? "by the audit run" : `by ${entry.actor}`;
}

/**
 * What happened to findings, newest first: chase steps, replies with their text, resolutions with their
 * justification (an override flagged as one), reopenings and what re-runs found; each with who, when and
 * the comment on the audit issue. With `personHref` (an audit's timeline) each entry names its person
 * and links to their page. Everything people wrote is rendered as text.
 */
export function ActivityTimeline({
  entries,
  personHref,
  empty = "Nothing yet: no pings, replies or resolutions.",
}: {
  entries: readonly ActivityEntry[];
  personHref?: (personKey: string) => string;
  empty?: string;
}) {
  if (entries.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ol aria-label="Activity" className="relative space-y-4 border-l border-slate-200 pl-5">
      {entries.map((entry) => {
        const look = LOOKS[entry.action];
        return (
          <li key={entry.key} className="relative">
            <span
              aria-hidden
              className={cn(
                "absolute -left-[1.65rem] top-1 h-3 w-3 rounded-full ring-4 ring-white",
                look.dot,
              )}
            />
            <p className="text-sm font-medium text-slate-900">
              {personHref && entry.person && (
                <>
                  <Link href={personHref(entry.person.key)} className="text-indigo-700 hover:underline">
                    {entry.person.name}
                  </Link>
                  {": "}
                </>
              )}
              {labelOf(entry)}
              {entry.until && ` until ${formatDay(entry.until)}`}
              {entry.override && (
                <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
                  Override: own finding
                </span>
              )}
            </p>
            <p className="text-xs text-slate-600">
              <DateTime iso={entry.at} /> · {byline(entry)}
              {entry.commentUrl && (
                <>
                  {" · "}
                  <a
                    href={entry.commentUrl}
                    className="text-indigo-700 underline"
                    rel="noreferrer"
                    target="_blank"
                  >
                    {entry.action === "record_dm" ? "message on Slack" : "comment on the issue"}
                  </a>
                </>
              )}
            </p>
            {entry.codes.length > 0 && (
              <p className="mt-0.5 text-xs text-slate-500">
                About: {entry.codes.map((c) => CODE_LABELS[c]).join("; ")}
              </p>
            )}
            {entry.text &&
              (entry.action === "reply" ? (
                <blockquote className="mt-1 whitespace-pre-wrap break-words border-l-2 border-emerald-300 pl-2 text-sm text-slate-700">
                  “{entry.text}”
                </blockquote>
              ) : (
                <p className="mt-0.5 whitespace-pre-wrap break-words text-xs italic text-slate-600">
                  “{entry.text}”
                </p>
              ))}
          </li>
        );
      })}
    </ol>
  );
}
