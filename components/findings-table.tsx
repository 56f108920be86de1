"use client";

// A client component although it keeps no state: the server sends it the page's rows as data (about 0.5 KB
// a person), where a server component's markup was sent twice, as HTML and again as the page's payload.
import Link from "next/link";
import { CODE_LABELS } from "@/lib/audit/labels";
import { SEVERITY_OF_CODE } from "@/lib/audit/severity";
import type { FindingCode } from "@/lib/audit/types";
import type { PeopleSort } from "@/lib/service/findings";
import { CodeBadge } from "./code-badge";
import { NEXT_ACTION_LABELS, type FindingsTableRow, type TableSort } from "./findings-table-rows";
import { StatusBadge } from "./status-badge";
import { DueIn, formatAgo, formatDateTime } from "./time";
import { Badge } from "./ui/badge";
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

/**
 * The body's rows and cells, styled here once rather than on each of them (a page has 25 rows of 7 cells):
 * below lg a row is a card, a grid of its cells, each a block placed by its `order` (status and next action
 * before where and who); from lg a table row of one-line cells. What differs per row or cell stays on it.
 */
const BODY = [
  "block space-y-3 lg:table-row-group lg:space-y-0 lg:divide-y lg:divide-slate-100",
  "[&>tr]:grid [&>tr]:grid-cols-2 [&>tr]:gap-x-4 [&>tr]:gap-y-2 [&>tr]:rounded-lg [&>tr]:p-4 [&>tr]:shadow-sm [&>tr]:ring-1",
  "lg:[&>tr]:table-row lg:[&>tr]:rounded-none lg:[&>tr]:p-0 lg:[&>tr]:shadow-none lg:[&>tr]:ring-0",
  "[&>tr>td]:block [&>tr>td]:min-w-0 [&>tr>td]:break-words [&>tr>td]:text-slate-700",
  "lg:[&>tr>td]:table-cell lg:[&>tr>td]:px-4 lg:[&>tr>td]:py-2.5 lg:[&>tr>td]:align-middle",
  // The person's line (name, handle, a badge) and the finding chips: wrapping on a card, one line in a table.
  "[&>tr>td>div]:flex [&>tr>td>div]:min-w-0 [&>tr>td>div]:flex-wrap [&>tr>td>div]:items-baseline [&>tr>td>div]:gap-x-2",
  "[&>tr>td>div]:gap-y-1 lg:[&>tr>td>div]:flex-nowrap lg:[&>tr>td>div]:items-center lg:[&>tr>td>div]:gap-2",
  "[&>tr>td>ul]:flex [&>tr>td>ul]:min-w-0 [&>tr>td>ul]:flex-wrap [&>tr>td>ul]:gap-1 lg:[&>tr>td>ul]:flex-nowrap lg:[&>tr>td>ul]:items-center",
  // A value's label (`Label`, its cell's first span) above it on a card; the headers say it at table width.
  "[&>tr>td>span:first-child]:mb-0.5 [&>tr>td>span:first-child]:block [&>tr>td>span:first-child]:text-xs",
  "[&>tr>td>span:first-child]:text-slate-500 lg:[&>tr>td>span:first-child]:hidden",
].join(" ");

/**
 * One row per person: who, where, what was found, where they are in the process and what comes next; for
 * someone nobody is chased about (not in the roster, a deleted user), who owns the fix instead. Each person
 * is drawn once: on a wide screen a table whose rows stay one line (long text is cut, whole on hover) with
 * sortable headers; on a narrow one the same rows laid out as cards, each value under its label (the
 * headers fold away there, the filter bar's menu sorts), status and next action first.
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
  return (
    <div className="lg:rounded-lg lg:bg-white lg:shadow-sm lg:ring-1 lg:ring-slate-200">
      <table className="block w-full text-sm lg:table lg:table-fixed lg:divide-y lg:divide-slate-200">
        <caption className="mb-2 block text-left text-sm font-medium text-slate-700 lg:mb-0 lg:table-caption lg:px-4 lg:py-3">
          {caption}
        </caption>
        <thead className="hidden lg:table-header-group">
          <tr>
            {COLUMNS.map((column) => (
              <SortableTh key={column.sort} column={column} sort={sort} />
            ))}
          </tr>
        </thead>
        <tbody className={BODY}>
          {rows.map((row) => (
            <tr
              key={row.personKey}
              // The card's colours: set here, as the body's styles for every row would win over a row's own.
              className={row.overdue ? "bg-white ring-rose-300 lg:bg-rose-50/40" : "bg-white ring-slate-200"}
            >
              <td className="order-1 col-span-2">
                <div>
                  <PersonLink row={row} />
                  {/* The handle gives way before the name does. */}
                  <span
                    title={row.handle}
                    className="min-w-0 shrink-[10] break-all text-xs text-slate-500 lg:truncate"
                  >
                    {row.handle}
                  </span>
                  {!row.inRoster && (
                    <span className="shrink-0">
                      <Badge tone="warning">Not in roster</Badge>
                    </span>
                  )}
                </div>
              </td>
              <td className="order-5 lg:truncate" title={row.region ?? undefined}>
                <Label>Region</Label>
                {row.region ?? <Missing />}
              </td>
              <td className="order-6 lg:truncate" title={row.manager ?? undefined}>
                <Label>Manager</Label>
                {row.manager ?? <Missing />}
              </td>
              <td className="order-2 col-span-2 mb-1">
                <CodeChips row={row} />
              </td>
              <td className="order-3 lg:truncate">
                <Label>Status</Label>
                <Status row={row} />
              </td>
              <td className="order-7 lg:truncate lg:text-xs">
                <Label>Last ping</Label>
                <LastPing row={row} now={now} />
              </td>
              <td className="order-4 lg:truncate">
                <Label>Next action</Label>
                <NextAction row={row} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * What a value is, shown above it on a card; at table width its column header says it (and this is hidden,
 * from screen readers too). Styled by the body (`BODY`) as its cell's first span: a page has 125 of them.
 */
function Label({ children }: { children: string }) {
  return <span>{children}</span>;
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
        className="inline-flex max-w-full items-center gap-1 rounded-sm hover:text-slate-900"
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

function PersonLink({ row }: { row: FindingsTableRow }) {
  return (
    <Link
      href={row.href}
      // A page of rows would otherwise prefetch every person's page from the server.
      prefetch={false}
      title={row.name}
      className="min-w-0 break-words font-medium text-indigo-700 hover:underline lg:truncate"
    >
      {row.name}
    </Link>
  );
}

/** Errors first, then warnings, each in the checker's order. */
function bySeverity(codes: readonly FindingCode[]): FindingCode[] {
  return codes.toSorted(
    (a, b) => Number(SEVERITY_OF_CODE[a] === "warning") - Number(SEVERITY_OF_CODE[b] === "warning"),
  );
}

/**
 * The person's finding codes, most severe first. On a card every chip; at table width (one line) the first
 * chip and "+N" for the rest, which are still listed for screen readers and named on hover.
 */
function CodeChips({ row }: { row: FindingsTableRow }) {
  const codes = bySeverity(row.codes);
  return (
    <ul aria-label={`${row.items} finding${row.items === 1 ? "" : "s"}`}>
      {codes.map((code, i) => (
        // Past the first at table width: hidden from the eye only, the chip still announces the finding.
        <li key={code} className={i === 0 ? "min-w-0 truncate" : "min-w-0 truncate lg:sr-only"}>
          <CodeBadge code={code} />
        </li>
      ))}
      {codes.length > 1 && (
        <li
          aria-hidden
          className="hidden shrink-0 lg:block"
          title={codes
            .slice(1)
            .map((code) => CODE_LABELS[code])
            .join("; ")}
        >
          <Badge>+{codes.length - 1}</Badge>
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

/** What comes next; at table width (one line) the owner's "the next run confirms" is left to the hover. */
function NextAction({ row, now }: { row: FindingsTableRow; now: string }) {
  if (row.status !== null && row.owner !== null) {
    return (
      <span title="Fix in PagerDuty; the next run confirms">
        <span className="font-medium text-slate-900">Fix in PagerDuty</span>
        <span className="text-xs text-slate-600 lg:hidden"> · the next run confirms</span>
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

function Missing() {
  return (
    <span className="text-slate-400">
      <span aria-hidden>—</span>
      <span className="sr-only">unknown</span>
    </span>
  );
}
