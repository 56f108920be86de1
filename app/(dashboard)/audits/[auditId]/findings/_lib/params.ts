/**
 * The Findings page's filters, search, sort and page as URL search params: read by the server page, written
 * by the filter bar, the sortable headers and the filter chips. Pure and safe for both.
 */
import { FINDING_CODES } from "@/lib/audit/types";
import type { PeopleQuery } from "@/lib/service/findings";
import {
  defaultDirectionOf,
  PEOPLE_SORTS,
  SORT_DIRECTIONS,
  type PeopleSort,
  type SortDirection,
} from "@/lib/service/people-query";
import { ITEM_STATUSES } from "@/lib/workflow/types";

export const PAGE_SIZE = 25;

export const SORTS = PEOPLE_SORTS;

/** The sorts as the "Sort by" menu names them (each in its default direction). */
export const SORT_LABELS: Record<PeopleSort, string> = {
  name: "Name",
  region: "Region",
  manager: "Manager",
  items: "Most findings",
  status: "Status",
  last_ping: "Last ping, newest first",
  due: "Next action due",
};

/** The findings page's URL state: the service's query, less the page size (fixed on this page). */
export type FindingsParams = Omit<PeopleQuery, "pageSize">;

export type SearchParams = Record<string, string | string[] | undefined>;

/** What narrows the list, in the order the page shows them (sort and page do not narrow). */
export const FILTER_KEYS = ["q", "status", "code", "region", "manager", "overdue"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return value !== undefined && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/**
 * Reads the page's search params; unknown values are ignored rather than refused (links get old). A
 * direction that is the sort's default is dropped, so one order has one URL.
 */
export function parseFindingsParams(searchParams: SearchParams): FindingsParams {
  const overdue = first(searchParams.overdue);
  const page = Number(first(searchParams.page));
  const sort = oneOf(SORTS, first(searchParams.sort));
  const dir = oneOf(SORT_DIRECTIONS, first(searchParams.dir));
  const params: FindingsParams = {
    status: oneOf(ITEM_STATUSES, first(searchParams.status)),
    code: oneOf(FINDING_CODES, first(searchParams.code)),
    region: first(searchParams.region),
    manager: first(searchParams.manager),
    overdue: overdue === "true" ? true : overdue === "false" ? false : undefined,
    q: first(searchParams.q)?.slice(0, 200),
    sort: sort === "name" ? undefined : sort,
    dir: dir === defaultDirectionOf(sort ?? "name") ? undefined : dir,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as FindingsParams;
}

/** The service query for these params. */
export function toPeopleQuery(params: FindingsParams): PeopleQuery {
  return { ...params, pageSize: PAGE_SIZE };
}

/** `?status=…&page=2`, or "" when nothing is set. Keys in a fixed order, so URLs are stable. */
export function findingsSearch(params: FindingsParams): string {
  const search = new URLSearchParams();
  if (params.q) search.set("q", params.q);
  if (params.status) search.set("status", params.status);
  if (params.code) search.set("code", params.code);
  if (params.region) search.set("region", params.region);
  if (params.manager) search.set("manager", params.manager);
  if (params.overdue !== undefined) search.set("overdue", String(params.overdue));
  const sort = params.sort ?? "name";
  if (sort !== "name") search.set("sort", sort);
  if (params.dir && params.dir !== defaultDirectionOf(sort)) search.set("dir", params.dir);
  if (params.page && params.page > 1) search.set("page", String(params.page));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Whether any filter or search narrows the list (sort and page do not). */
export function hasFilters(params: FindingsParams): boolean {
  return FILTER_KEYS.some((key) => params[key] !== undefined && params[key] !== "");
}

/** How many filters narrow the list (the search counts as one). */
export function countFilters(params: FindingsParams): number {
  return FILTER_KEYS.filter((key) => params[key] !== undefined && params[key] !== "").length;
}

/** These params without one filter, back on the first page (what a filter chip's link leads to). */
export function withoutFilter(params: FindingsParams, key: FilterKey): FindingsParams {
  const { [key]: _removed, page: _page, ...rest } = params;
  return rest;
}

/** These params with no filter at all, keeping the sort ("Clear all"). */
export function withoutFilters(params: FindingsParams): FindingsParams {
  return { sort: params.sort, dir: params.dir };
}

/** The order the list is in: its sort and direction, defaults filled in. */
export function sortOf(params: FindingsParams): { sort: PeopleSort; dir: SortDirection } {
  const sort = params.sort ?? "name";
  return { sort, dir: params.dir ?? defaultDirectionOf(sort) };
}

/**
 * What a sortable column header leads to: the list sorted by `sort`, reversed when it already is, else in
 * the sort's default direction; filters kept, back on the first page.
 */
export function sortedBy(params: FindingsParams, sort: PeopleSort): FindingsParams {
  const current = sortOf(params);
  const dir: SortDirection =
    current.sort === sort ? (current.dir === "asc" ? "desc" : "asc") : defaultDirectionOf(sort);
  const { page: _page, ...rest } = params;
  return { ...rest, sort, dir };
}
