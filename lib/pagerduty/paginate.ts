import { AppError } from "@/lib/errors";

export const PAGE_LIMIT = 100;
/** PagerDuty's classic pagination refuses offset + limit beyond this. */
export const MAX_PAGINATION_RECORDS = 10_000;

export interface Page<T> {
  items: T[];
  /** null when the page leaves `more` out: it is optional in PagerDuty's OpenAPI. */
  more: boolean | null;
  /** Known only when the page was asked with `total=true` (and the server complied). */
  total: number | null;
  /** The limit the server says it applied, when it echoes one. */
  limit: number | null;
}

export interface PageRequest {
  offset: number;
  limit: number;
  /** Ask the server for `total`; slower on PagerDuty's side, so only where it is used. */
  total: boolean;
}

export type FetchPage<T> = (request: PageRequest) => Promise<Page<T>>;

export interface FetchAllPagesOptions {
  /** `GET /users`, for messages. */
  what: string;
  limit?: number;
  /** After each accepted page: items so far and the best estimate of the total. */
  onPage?: (received: number, total: number) => void;
  /**
   * For a list longer than offset pagination reaches (the first page's total is above
   * `MAX_PAGINATION_RECORDS`): how many of its first records to read instead of refusing it, from the
   * total. Read in whole pages, and never past the cap. Without it such a list is refused.
   */
  whenCapped?: (total: number) => number | Promise<number>;
  /**
   * Pages after the first to ask for with it, before its total is known: places in flight that would
   * otherwise stay empty for a round. Each is used where the list's reading would ask for it; a page past
   * the list's end answers empty, so a list shorter than `pagesAhead + 1` pages costs its empty pages (and
   * one read only in part past the cap, those it does not read). None by default.
   */
  pagesAhead?: number;
}

function checkOffset(offset: number, limit: number, what: string) {
  if (offset + limit > MAX_PAGINATION_RECORDS) {
    throw new AppError(
      "invalid:pagerduty",
      `${what} has more than ${MAX_PAGINATION_RECORDS.toLocaleString("en-US")} records; PagerDuty's offset pagination cannot read past that.`,
    );
  }
}

/**
 * Whether records follow a page. Without `more` it goes by what PagerDuty's own clients use: a page with
 * fewer items than the limit is the last, and so is the one that brings the items received to `total`.
 */
function hasMore<T>(page: Page<T>, received: number, total: number | null, limit: number): boolean {
  if (page.more !== null) return page.more;
  if (total !== null && received >= total) return false;
  return page.items.length > 0 && page.items.length >= (page.limit ?? limit);
}

/**
 * Reads every page of an offset-paginated list. The first page asks for `total`; when it is known the
 * remaining pages are fetched concurrently and each is checked against it (size, `more`, total). At the
 * first page that does not fit, the rest is read again sequentially from there, advancing by the number
 * of items received until a page is the last (see `hasMore`). Every loop advances the offset, so the
 * 10,000-record cap ends even a server that ignores it. Items are returned in server order; duplicates
 * caused by the list changing while it is read are left to the caller. A list longer than offset
 * pagination reaches is refused, unless `whenCapped` says how much of its start to read.
 */
export async function fetchAllPages<T>(fetchPage: FetchPage<T>, options: FetchAllPagesOptions): Promise<T[]> {
  const limit = options.limit ?? PAGE_LIMIT;
  checkOffset(0, limit, options.what);
  const first = fetchPage({ offset: 0, limit, total: true });
  // Asked with the first page and taken, by offset, where the reading below asks for a page; the rest are
  // waited for (a failure of one not needed is no failure), so nothing of the list is in flight once it is
  // read.
  const ahead = new Map<number, Promise<Page<T>>>();
  for (let n = 1; n <= (options.pagesAhead ?? 0) && (n + 1) * limit <= MAX_PAGINATION_RECORDS; n++) {
    const page = fetchPage({ offset: n * limit, limit, total: true });
    page.catch(() => undefined);
    ahead.set(n * limit, page);
  }
  const pageAt = (request: PageRequest): Promise<Page<T>> => {
    const asked = request.limit === limit ? ahead.get(request.offset) : undefined;
    ahead.delete(request.offset);
    return asked ?? fetchPage(request);
  };
  try {
    return await readPages(first, pageAt, limit, options);
  } finally {
    await Promise.allSettled(ahead.values());
  }
}

async function readPages<T>(
  firstPage: Promise<Page<T>>,
  fetchPage: FetchPage<T>,
  limit: number,
  options: FetchAllPagesOptions,
): Promise<T[]> {
  const what = options.what;
  const items: T[] = [];
  const accept = (page: Page<T>, total: number | null) => {
    items.push(...page.items);
    options.onPage?.(items.length, total ?? items.length + (page.more === true ? limit : 0));
  };

  const first = await firstPage;
  const total = first.total;
  const step = first.items.length;
  // Past the cap, if the caller says so: pages starting before `stopAt` only (and none past the cap).
  const capped = total !== null && total > MAX_PAGINATION_RECORDS && options.whenCapped !== undefined;
  const stopAt = capped
    ? Math.min((await options.whenCapped?.(total)) ?? 0, MAX_PAGINATION_RECORDS - limit + 1)
    : Infinity;
  const lastStart = step > 0 ? Math.max(0, Math.ceil(stopAt / step) - 1) * step : 0;
  const reading = capped && total !== null ? Math.min(total, lastStart + step) : total;
  accept(first, reading);
  if (!hasMore(first, items.length, total, limit)) return items;

  let offset = first.items.length;
  if (total !== null && step > 0 && total > step) {
    const offsets: number[] = [];
    for (let o = step; o < total && o < stopAt; o += step) offsets.push(o);
    const last = offsets[offsets.length - 1] ?? 0;
    checkOffset(last, limit, what);
    const settled = await Promise.allSettled(
      offsets.map((o) => fetchPage({ offset: o, limit, total: true })),
    );
    for (const [index, result] of settled.entries()) {
      if (result.status === "rejected") throw result.reason;
      const o = offsets[index] as number;
      const page = result.value;
      const expected = Math.min(step, total - o);
      const fits =
        page.items.length === expected &&
        (page.more === null || page.more === o + expected < total) &&
        (page.total === null || page.total === total);
      if (!fits) break;
      accept(page, reading);
      offset = o + expected;
      if (o + expected >= total) return items;
    }
  }

  // Sequential: no total, or the concurrent pages stopped fitting at `offset`.
  for (;;) {
    if (offset >= stopAt) return items;
    checkOffset(offset, limit, what);
    const page = await fetchPage({ offset, limit, total: false });
    accept(page, null);
    // Only this page's own total: the first page's may be stale once the concurrent pages stopped fitting.
    if (!hasMore(page, items.length, page.total, limit)) return items;
    if (page.items.length === 0) {
      throw new AppError(
        "upstream:pagerduty",
        `PagerDuty answered ${what} at offset ${offset} with an empty page that claims more records.`,
      );
    }
    offset += page.items.length;
  }
}
