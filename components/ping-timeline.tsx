import { CODE_LABELS } from "@/lib/audit/labels";
import { FINDING_CODES, type FindingCode } from "@/lib/audit/types";
import type { AuditEvent } from "@/lib/client/types";
import { CHASE_STEPS } from "@/lib/workflow/chase";
import { cn } from "./ui/cn";
import { DateTime } from "./time";

/** The dots of the chase steps in order, warmer as the chase goes on (the last for any step beyond). */
const CHASE_DOTS = ["bg-sky-500", "bg-amber-500", "bg-rose-500"] as const;

const ACTIONS: Record<string, { label: string; dot: string }> = {
  ...Object.fromEntries(
    CHASE_STEPS.map((step, i) => [
      step.action,
      { label: step.historyLabel, dot: CHASE_DOTS[Math.min(i, CHASE_DOTS.length - 1)] },
    ]),
  ),
  reply: { label: "Reply received", dot: "bg-emerald-500" },
  mark_intentional: { label: "Marked intentional", dot: "bg-emerald-600" },
  waive: { label: "Waived", dot: "bg-violet-500" },
  reopen: { label: "Reopened", dot: "bg-slate-500" },
};

interface TimelineEntry {
  key: string;
  action: string;
  actor: string;
  at: string;
  codes: FindingCode[];
  /** The comment on the audit issue, when the action was posted there (or the reply read from there). */
  commentUrl: string | null;
  /** A resolution's justification, and a waiver's end day. */
  justification: string | null;
  /** The personal note quoted in a ping's or an escalation's comment. */
  note: string | null;
  until: string | null;
  /** The Support Operations Manager resolved their own finding: allowed only as an override, shown as one. */
  override: boolean;
}

/** One action on several items at once is one moment for the person; show it once, with its findings. */
function groupEvents(events: readonly AuditEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const event of events) {
    const code = findingCodeOf(event);
    const previous = entries.at(-1);
    if (
      previous &&
      previous.action === event.action &&
      previous.actor === event.actor &&
      previous.at === event.at
    ) {
      if (code && !previous.codes.includes(code)) previous.codes.push(code);
      continue;
    }
    entries.push({
      key: String(event.id),
      action: event.action,
      actor: event.actor,
      at: event.at,
      codes: code ? [code] : [],
      commentUrl: commentUrlOf(event),
      justification: textOf(event, "justification"),
      note: textOf(event, "note"),
      until: textOf(event, "until"),
      override: event.detail?.override === true,
    });
  }
  return entries;
}

/** Only http(s) links are shown: the URL comes from GitLab, but the page never renders another scheme. */
function commentUrlOf(event: AuditEvent): string | null {
  const url = event.detail?.commentUrl;
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
}

function textOf(event: AuditEvent, key: "justification" | "note" | "until"): string | null {
  const value = event.detail?.[key];
  return typeof value === "string" ? value : null;
}

function findingCodeOf(event: AuditEvent): FindingCode | null {
  const code = event.detail?.code;
  return typeof code === "string" && (FINDING_CODES as readonly string[]).includes(code)
    ? (code as FindingCode)
    : null;
}

/**
 * What was sent to the person, what they answered, and how their findings were resolved without a fix or
 * reopened (an override flagged as one), oldest first.
 */
export function PingTimeline({ events }: { events: readonly AuditEvent[] }) {
  const entries = groupEvents(events);
  if (entries.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        Nothing yet: no pings, replies or resolutions for this person in this audit.
      </p>
    );
  }
  return (
    <ol aria-label="History" className="relative space-y-4 border-l border-slate-200 pl-5">
      {entries.map((entry) => {
        const look = ACTIONS[entry.action] ?? { label: entry.action, dot: "bg-slate-400" };
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
              {look.label}
              {entry.until && ` until ${entry.until}`}
              {entry.override && (
                <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
                  Override: own finding
                </span>
              )}
            </p>
            <p className="text-xs text-slate-600">
              <DateTime iso={entry.at} /> · by {entry.actor}
              {entry.commentUrl && (
                <>
                  {" · "}
                  <a
                    href={entry.commentUrl}
                    className="text-indigo-700 underline"
                    rel="noreferrer"
                    target="_blank"
                  >
                    comment on the issue
                  </a>
                </>
              )}
            </p>
            {entry.codes.length > 0 && (
              <p className="mt-0.5 text-xs text-slate-500">
                About: {entry.codes.map((c) => CODE_LABELS[c]).join("; ")}
              </p>
            )}
            {entry.justification && (
              <p className="mt-0.5 text-xs italic text-slate-600">“{entry.justification}”</p>
            )}
            {entry.note && <p className="mt-0.5 text-xs italic text-slate-600">Note: “{entry.note}”</p>}
          </li>
        );
      })}
    </ol>
  );
}
