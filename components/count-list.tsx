import Link from "next/link";
import type { ReactNode } from "react";
import { cn } from "./ui/cn";

export interface CountEntry {
  key: string;
  label: ReactNode;
  count: number;
  /** Where the count leads (the Findings page with the filter applied); none for a zero count. */
  href?: string;
}

/** Counts as a list of label → number, each a link into the filtered view. */
export function CountList({ entries, empty }: { entries: CountEntry[]; empty: ReactNode }) {
  if (entries.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-100">
      {entries.map((entry) => {
        const body = (
          <>
            <span className="min-w-0 truncate">{entry.label}</span>
            <span className="font-semibold tabular-nums text-slate-900">{entry.count}</span>
          </>
        );
        return (
          <li key={entry.key}>
            {entry.href && entry.count > 0 ? (
              <Link
                href={entry.href}
                className="group -mx-2 flex items-center justify-between gap-3 rounded px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-50 hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <span className="min-w-0 truncate">{entry.label}</span>
                <span className="font-semibold tabular-nums text-indigo-700 underline decoration-indigo-300 underline-offset-4 group-hover:decoration-2 group-hover:decoration-indigo-700">
                  {entry.count}
                </span>
              </Link>
            ) : (
              <div className="flex items-center justify-between gap-3 py-1.5 text-sm text-slate-500">
                {body}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A headline number. With `href`, the number is a link to the findings it counts, and looks like one
 * (indigo, underlined, a focus ring). `value` null: nothing to count yet, shown as a dash with the `hint`.
 */
export function Stat({
  label,
  value,
  href,
  hint,
  tone = "neutral",
}: {
  label: string;
  value: number | null;
  href?: string;
  /** A line under the number saying what it counts or why there is none. */
  hint?: ReactNode;
  tone?: "neutral" | "danger";
}) {
  const linked = href !== undefined && value !== null && value > 0;
  const number = (
    <span
      className={cn(
        "text-2xl font-semibold tabular-nums",
        value === null
          ? "text-slate-400"
          : tone === "danger" && value > 0
            ? "text-rose-700"
            : linked
              ? "text-indigo-700"
              : "text-slate-900",
        linked && "underline decoration-2 underline-offset-4 group-hover:decoration-current",
        linked && (tone === "danger" ? "decoration-rose-300" : "decoration-indigo-300"),
      )}
    >
      {value ?? "–"}
    </span>
  );
  return (
    <div className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1">
        {linked ? (
          <Link
            href={href}
            className="group inline-block rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {number}
            <span className="sr-only"> {label.toLowerCase()}: show them</span>
          </Link>
        ) : (
          number
        )}
        {hint && <span className="mt-1 block text-xs text-slate-500">{hint}</span>}
      </dd>
    </div>
  );
}
