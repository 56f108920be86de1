/**
 * The findings table's search and sort, as pure functions of its rows: shared by the server (which filters
 * and sorts) and the page's URL params (which name the sorts). No IO.
 */
import type { Item } from "@/lib/db/queries";
import { ITEM_STATUSES } from "@/lib/workflow/types";
import type { PersonRow } from "./findings";

/** The table's sorts, one per sortable column. */
export const PEOPLE_SORTS = ["name", "region", "manager", "items", "status", "last_ping", "due"] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** The direction a sort starts in: most findings and the newest ping first, else ascending (A–Z, soonest). */
export function defaultDirectionOf(sort: PeopleSort): SortDirection {
  return sort === "items" || sort === "last_ping" ? "desc" : "asc";
}

const STATUS_RANK = new Map(ITEM_STATUSES.map((status, i) => [status, i]));

/** A row's value for a sort; null sorts last whatever the direction (nothing to compare). */
function sortValueOf(row: PersonRow, sort: PeopleSort): string | number | null {
  switch (sort) {
    case "name":
      return row.name;
    case "region":
      return row.region;
    case "manager":
      return row.manager;
    case "items":
      return row.items;
    case "status":
      // Every item addressed: after every unresolved status.
      return row.status === null
        ? ITEM_STATUSES.length
        : (STATUS_RANK.get(row.status) ?? ITEM_STATUSES.length);
    case "last_ping":
      return row.lastPingAt;
    case "due":
      return row.dueAt;
  }
}

function compareValues(a: string | number, b: string | number): number {
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b), "en");
}

/**
 * The order of the findings table for `sort` in `direction` (default: the sort's own): rows without a value
 * last, then by name, then by person key, so equal rows keep one order and pages never overlap.
 */
export function comparePeopleRows(
  sort: PeopleSort = "name",
  direction: SortDirection = defaultDirectionOf(sort),
): (a: PersonRow, b: PersonRow) => number {
  const sign = direction === "asc" ? 1 : -1;
  return (a, b) => {
    const x = sortValueOf(a, sort);
    const y = sortValueOf(b, sort);
    const primary =
      x === null || y === null ? (x === null ? 1 : 0) - (y === null ? 1 : 0) : sign * compareValues(x, y);
    if (primary !== 0) return primary;
    const byName = sort === "name" ? 0 : a.name.localeCompare(b.name, "en");
    return byName || (a.personKey < b.personKey ? -1 : a.personKey > b.personKey ? 1 : 0);
  };
}

/**
 * Whether `row` matches the search text `q` (blank: everyone). `@handle` is a GitLab username, matched
 * whole and case-insensitively; other text matches part of the name, email or GitLab username
 * (case-insensitive), or one of the person's PagerDuty IDs exactly.
 */
export function matchesPeopleSearch(row: PersonRow, q: string | undefined): boolean {
  const text = q?.trim() ?? "";
  if (text === "") return true;
  if (text.startsWith("@")) {
    const handle = text.slice(1).toLowerCase();
    return handle === "" || row.gitlab?.toLowerCase() === handle;
  }
  const needle = text.toLowerCase();
  return (
    [row.name, row.email, row.gitlab].some((value) => value?.toLowerCase().includes(needle)) ||
    row.pagerdutyIds.includes(text)
  );
}

/**
 * The PagerDuty user IDs the person's findings name as theirs: the roster's `pagerduty.id` and the accounts
 * found for them (not suggestions, nor the other people of a shared ID). Sorted, without repeats.
 */
export function pagerDutyIdsOf(items: readonly Pick<Item, "evidence">[]): string[] {
  const ids = new Set<string>();
  for (const { evidence } of items) {
    for (const value of [evidence.pagerduty_id, evidence.roster_pagerduty_id]) {
      if (typeof value === "string" && value !== "") ids.add(value);
    }
    if (Array.isArray(evidence.pagerduty_ids)) {
      for (const id of evidence.pagerduty_ids) if (id !== "") ids.add(id);
    }
  }
  return [...ids].sort();
}
