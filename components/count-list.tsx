import Link from "next/link";
import type { ReactNode } from "react";

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
                className="-mx-2 flex items-center justify-between gap-3 rounded px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-50 hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                {body}
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

/** A headline number. */
export function Stat({
  label,
  value,
  href,
  tone = "neutral",
}: {
  label: string;
  value: number;
  href?: string;
  tone?: "neutral" | "danger";
}) {
  const number = (
    <span
      className={`text-2xl font-semibold tabular-nums ${tone === "danger" && value > 0 ? "text-rose-700" : "text-slate-900"}`}
    >
      {value}
    </span>
  );
  return (
    <div className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1">
        {href && value > 0 ? (
          <Link
            href={href}
            className="hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            {number}
            <span className="sr-only"> {label.toLowerCase()}: show them</span>
          </Link>
        ) : (
          number
        )}
      </dd>
    </div>
  );
}
