/**
 * The Findings page's filters, sort and page as URL search params: read by the server page, written by the
 * filter bar. Pure and safe for both.
 */
import { FINDING_CODES } from "@/lib/audit/types";
import type { PeopleQuery, PeopleSort } from "@/lib/service/findings";
import { ITEM_STATUSES } from "@/lib/workflow/types";

export const PAGE_SIZE = 25;

/** The server's sorts (kept in step with PEOPLE_SORTS, which lives in server code). */
export const SORTS = ["name", "due", "status", "items"] as const satisfies readonly PeopleSort[];

export const SORT_LABELS: Record<PeopleSort, string> = {
  name: "Name",
  due: "Next action due",
  status: "Status",
  items: "Most findings",
};

/** The findings page's URL state: the service's query, less the page size (fixed on this page). */
export type FindingsParams = Omit<PeopleQuery, "pageSize">;

export type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return value !== undefined && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** Reads the page's search params; unknown values are ignored rather than refused (links get old). */
export function parseFindingsParams(searchParams: SearchParams): FindingsParams {
  const overdue = first(searchParams.overdue);
  const page = Number(first(searchParams.page));
  const params: FindingsParams = {
    status: oneOf(ITEM_STATUSES, first(searchParams.status)),
    code: oneOf(FINDING_CODES, first(searchParams.code)),
    region: first(searchParams.region),
    manager: first(searchParams.manager),
    overdue: overdue === "true" ? true : overdue === "false" ? false : undefined,
    q: first(searchParams.q)?.slice(0, 200),
    sort: oneOf(SORTS, first(searchParams.sort)),
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
  if (params.sort && params.sort !== "name") search.set("sort", params.sort);
  if (params.page && params.page > 1) search.set("page", String(params.page));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Whether any filter or search narrows the list (sort and page do not). */
export function hasFilters(params: FindingsParams): boolean {
  return Boolean(
    params.q ||
    params.status ||
    params.code ||
    params.region ||
    params.manager ||
    params.overdue !== undefined,
  );
}
