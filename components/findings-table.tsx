"use client";

// A client component although it keeps no state: the server sends it the page's rows as data (about 0.5 KB
// a person), where a server component's markup was sent twice, as HTML and again as the page's payload
// (about 6 KB a person: each row is drawn twice, as a table row and as a card), and rendered twice for it.
import Link from "next/link";
import type { ReactNode } from "react";
import { CODE_LABELS } from "@/lib/audit/labels";
import { SEVERITY_OF_CODE } from "@/lib/audit/severity";
import type { FindingCode } from "@/lib/audit/types";
import type { PeopleSort } from "@/lib/service/findings";
import { CodeBadge } from "./code-badge";
import { NEXT_ACTION_LABELS, type FindingsTableRow, type TableSort } from "./findings-table-rows";
import { StatusBadge } from "./status-badge";
import { DueIn, formatAgo, formatDateTime } from "./time";
import { Badge } from "./ui/badge";
import { cn } from "./ui/cn";
import { Th } from "./ui/table";

/** The columns, each with the sort it offers and its share of the width (the table's layout is fixed). */
const COLUMNS = [
  { label: "Person", sort: "name", width: "w-[21%]" },
  { label: "Region", sort: "region", width: "w-[8%]" },
  { label: "Manager", sort: "manager", width: "w-[13%]" },
  { label: "Findings", sort: "items", width: "w-[19%]" },
  { label: "Status", sort: "status", width: "w-[14%]" },
  { label: "Last ping", sort: "last_ping", width: "w-[10%]" },
  { label: "Next action", sort: "due", width: "w-[15%]" },
] as const satisfies readonly { label: string; sort: PeopleSort; width: string }[];

const CELL = "px-4 py-2.5 align-middle text-slate-700";

/**
 * One row per person: who, where, what was found, where they are in the process and what comes next; for
 * someone nobody is chased about (not in the roster, a deleted user), who owns the fix instead. On a wide
 * screen a table whose rows stay one line (long text is cut, whole on hover) with sortable headers; on a
 * narrow one a card per person, status and next action included.
 */
export function FindingsTable({
  caption,
  rows,
  now,
  sort,
}: {
  caption: string;
  rows: FindingsTableRow[];
  /** The app's clock, for "in 41 h" / "overdue 8 h". */
  now: string;
  /** Sortable headers; without it the headers are plain. */
  sort?: TableSort;
}) {
  const captionId = "findings-caption";
  return (
    <>
      <div className="hidden rounded-lg bg-white shadow-sm ring-1 ring-slate-200 lg:block">
        <table className="w-full table-fixed divide-y divide-slate-200 text-sm">
          <caption className="px-4 py-3 text-left text-sm font-medium text-slate-700">{caption}</caption>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <SortableTh key={column.sort} column={column} sort={sort} />
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => (
              <tr key={row.personKey} className={row.overdue ? "bg-rose-50/40" : undefined}>
                <td className={CELL}>
                  <div className="flex min-w-0 items-center gap-2">
                    <PersonLink row={row} className="truncate" />
                    {/* The handle gives way before the name does. */}
                    <Handle row={row} className="min-w-0 shrink-[10] truncate" />
                    {!row.inRoster && (
                      <span className="shrink-0">
                        <Badge tone="warning">Not in roster</Badge>
                      </span>
                    )}
                  </div>
                </td>
                <td className={cn(CELL, "truncate")} title={row.region ?? undefined}>
                  {row.region ?? <Missing />}
                </td>
                <td className={cn(CELL, "truncate")} title={row.manager ?? undefined}>
                  {row.manager ?? <Missing />}
                </td>
                <td className={CELL}>
                  <CodeChips row={row} compact />
                </td>
                <td className={cn(CELL, "truncate")}>
                  <Status row={row} />
                </td>
                <td className={cn(CELL, "truncate text-xs")}>
                  <LastPing row={row} now={now} />
                </td>
                <td className={cn(CELL, "truncate")}>
                  <NextAction row={row} now={now} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="lg:hidden">
        <p id={captionId} className="mb-2 text-sm font-medium text-slate-700">
          {caption}
        </p>
        <ul aria-labelledby={captionId} className="space-y-3">
          {rows.map((row) => (
            <li
              key={row.personKey}
              className={cn(
                "rounded-lg bg-white p-4 shadow-sm ring-1",
                row.overdue ? "ring-rose-300" : "ring-slate-200",
              )}
            >
              <article aria-label={row.name} className="min-w-0">
                <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
                  <PersonLink row={row} className="break-words" />
                  <Handle row={row} className="break-all" />
                  {!row.inRoster && <Badge tone="warning">Not in roster</Badge>}
                </div>
                <div className="mt-2">
                  <CodeChips row={row} />
                </div>
                <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
                  <CardField term="Status">
                    <Status row={row} />
                  </CardField>
                  <CardField term="Next action">
                    <NextAction row={row} now={now} />
                  </CardField>
                  <CardField term="Region">{row.region ?? <Missing />}</CardField>
                  <CardField term="Manager">{row.manager ?? <Missing />}</CardField>
                  <CardField term="Last ping">
                    <LastPing row={row} now={now} />
                  </CardField>
                </dl>
              </article>
            </li>
          ))}
        </ul>
      </div>
    </>
  );
}

/** A column header; a link that sorts by it when the table is sortable, `aria-sort` on the sorted one. */
function SortableTh({ column, sort }: { column: (typeof COLUMNS)[number]; sort: TableSort | undefined }) {
  if (!sort) return <Th className={column.width}>{column.label}</Th>;
  const current = sort.sort === column.sort ? sort.dir : null;
  const link = sort.links[column.sort];
  return (
    <Th
      className={column.width}
      aria-sort={current === null ? undefined : current === "asc" ? "ascending" : "descending"}
    >
      <Link
        href={link.href}
        scroll={false}
        className="inline-flex max-w-full items-center gap-1 rounded-sm hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        <span className="truncate">{column.label}</span>
        <span aria-hidden className={current === null ? "text-slate-400" : "text-slate-900"}>
          {current === "asc" ? "▲" : current === "desc" ? "▼" : "↕"}
        </span>
        <span className="sr-only">{` (sort ${link.dir === "asc" ? "ascending" : "descending"})`}</span>
      </Link>
    </Th>
  );
}

function PersonLink({ row, className }: { row: FindingsTableRow; className?: string }) {
  return (
    <Link
      href={row.href}
      // A page of rows would otherwise prefetch every person's page from the server.
      prefetch={false}
      title={row.name}
      className={cn(
        "min-w-0 font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600",
        className,
      )}
    >
      {row.name}
    </Link>
  );
}

/** What tells two people of one name apart (`FindingsTableRow.handle`). */
function Handle({ row, className }: { row: FindingsTableRow; className?: string }) {
  return (
    <span title={row.handle} className={cn("text-xs text-slate-500", className)}>
      {row.handle}
    </span>
  );
}

/** Errors first, then warnings, each in the checker's order. */
function bySeverity(codes: readonly FindingCode[]): FindingCode[] {
  return codes.toSorted(
    (a, b) => Number(SEVERITY_OF_CODE[a] === "warning") - Number(SEVERITY_OF_CODE[b] === "warning"),
  );
}

/**
 * The person's finding codes, most severe first. Compact (the table's one line): the first chip and "+N"
 * for the rest, which are still listed for screen readers and named on hover.
 */
function CodeChips({ row, compact = false }: { row: FindingsTableRow; compact?: boolean }) {
  const codes = bySeverity(row.codes);
  const rest = compact ? codes.slice(1) : [];
  return (
    <ul
      className={cn("flex gap-1", compact ? "min-w-0 flex-nowrap items-center" : "flex-wrap")}
      aria-label={`${row.items} finding${row.items === 1 ? "" : "s"}`}
    >
      {codes.map((code, i) =>
        // Past the first in a compact list: what the chip would announce, without the chip nobody sees.
        compact && i > 0 ? (
          <li key={code} className="sr-only">
            {CODE_LABELS[code]}
          </li>
        ) : (
          <li key={code} className="min-w-0 truncate">
            <CodeBadge code={code} />
          </li>
        ),
      )}
      {rest.length > 0 && (
        <li aria-hidden className="shrink-0" title={rest.map((code) => CODE_LABELS[code]).join("; ")}>
          <Badge>+{rest.length}</Badge>
        </li>
      )}
    </ul>
  );
}

function Status({ row }: { row: FindingsTableRow }) {
  if (row.status === null) return <Badge tone="success">Addressed</Badge>;
  // Nobody is chased: whoever owns the schedule fixes it.
  if (row.owner !== null) {
    return (
      <span className="text-xs" title={`Owner: ${row.owner}`}>
        <span className="text-slate-500">Owner: </span>
        {row.owner}
      </span>
    );
  }
  return <StatusBadge status={row.status} />;
}

function LastPing({ row, now }: { row: FindingsTableRow; now: string }) {
  if (!row.lastPingAt) {
    return <span className="text-slate-500">{row.owner !== null ? "Not chased" : "Never"}</span>;
  }
  const full = formatDateTime(row.lastPingAt);
  return (
    <time dateTime={row.lastPingAt} title={full}>
      {formatAgo(row.lastPingAt, now)}
    </time>
  );
}

/** What comes next; compact (the table's one line) leaves the owner's "the next run confirms" to the hover. */
function NextAction({
  row,
  now,
  compact = false,
}: {
  row: FindingsTableRow;
  now: string;
  compact?: boolean;
}) {
  if (row.status !== null && row.owner !== null) {
    return (
      <span title="Fix in PagerDuty; the next run confirms">
        <span className="font-medium text-slate-900">Fix in PagerDuty</span>
        {!compact && <span className="text-xs text-slate-600"> · the next run confirms</span>}
      </span>
    );
  }
  if (!row.nextAction) return <span className="text-slate-500">Nothing due</span>;
  return (
    <>
      <span className="font-medium text-slate-900">{NEXT_ACTION_LABELS[row.nextAction]}</span>
      <span className="text-xs">
        {" · "}
        {row.dueAt ? <DueIn dueAt={row.dueAt} now={now} /> : <span className="text-slate-600">now</span>}
      </span>
    </>
  );
}

function CardField({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{term}</dt>
      <dd className="mt-0.5 break-words">{children}</dd>
    </div>
  );
}

function Missing() {
  return (
    <span className="text-slate-400">
      <span aria-hidden>—</span>
      <span className="sr-only">unknown</span>
    </span>
  );
}
