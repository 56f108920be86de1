import type * as z from "zod";

import { fetchAllPages, PAGE_LIMIT } from "@/lib/pagerduty/paginate";
import type { Query } from "@/lib/http/request";
import { createRequester, type RequesterOptions, type RequestOptions } from "@/lib/pagerduty/request";

export type PagerDutyClientOptions = RequesterOptions;

/** What an offset-paginated response may carry; `more` is optional in PagerDuty's OpenAPI. */
export type PageSchemaShape = z.ZodType<{
  more?: boolean | undefined;
  total?: number | null | undefined;
  limit?: number | undefined;
}>;

export interface ListOptions<S extends PageSchemaShape, T> {
  query?: Query;
  /** Schema of one page, e.g. `UsersPageSchema`. */
  schema: S;
  /** The page's items, e.g. `(page) => page.users`. */
  items: (page: z.output<S>) => T[];
  signal?: AbortSignal;
  /** Of every page's read (`RequestOptions.priority`). */
  priority?: number;
  /** After each page the list takes: items so far and the best estimate of the total. */
  onPage?: (received: number, total: number) => void;
  /** After each page read, including one asked ahead that the list turns out not to need. */
  onRead?: () => void;
  /** Past PagerDuty's 10,000-record cap: how many of the first records to read (see `fetchAllPages`). */
  whenCapped?: (total: number) => number | Promise<number>;
  /** Ask for `total` on the first page (default). Off for lists that do not document the parameter. */
  total?: boolean;
  /** Pages to ask for with the first, before its total is known (see `fetchAllPages`). */
  pagesAhead?: number;
}

export interface PagerDutyClient {
  /** One GET, validated against `schema`. */
  get<S extends z.ZodType>(path: string, options: RequestOptions<S>): Promise<z.output<S>>;
  /** Every item of an offset-paginated list, in server order. */
  list<S extends PageSchemaShape, T>(path: string, options: ListOptions<S, T>): Promise<T[]>;
  /** HTTP requests sent so far by this client, retries included. */
  requestCount(): number;
  /** HTTP responses received so far, whatever their status. */
  answeredCount(): number;
}

/**
 * A PagerDuty REST client for one token. Holds the token: server and CLI code only. Requests go through
 * one helper (`request.ts`) that limits concurrency and rate, retries what is worth retrying and turns
 * everything else into an `AppError`. Once PagerDuty refuses the token (401) the client sends nothing more,
 * so make one per run.
 */
export function createPagerDutyClient(options: PagerDutyClientOptions): PagerDutyClient {
  const requester = createRequester(options);
  return {
    get: (path, getOptions) => requester.get(path, getOptions),
    list(path, listOptions) {
      return fetchAllPages(
        async ({ offset, limit, total }) => {
          const page = await requester.get(path, {
            query: {
              ...listOptions.query,
              limit,
              offset,
              ...(total && listOptions.total !== false ? { total: true } : {}),
            },
            schema: listOptions.schema,
            signal: listOptions.signal,
            priority: listOptions.priority,
          });
          listOptions.onRead?.();
          return {
            items: listOptions.items(page),
            more: page.more ?? null,
            total: page.total ?? null,
            limit: page.limit ?? null,
          };
        },
        {
          what: `GET ${path}`,
          limit: PAGE_LIMIT,
          onPage: listOptions.onPage,
          whenCapped: listOptions.whenCapped,
          pagesAhead: listOptions.pagesAhead,
        },
      );
    },
    requestCount: () => requester.requestCount(),
    answeredCount: () => requester.answeredCount(),
  };
}

/**
 * A client with the audit config's PagerDuty settings (URL, rate, concurrency, timeout, retries); `hooks`
 * observe its requests and retries (the CLI shows retries as they happen).
 */
export function createPagerDutyClientFromConfig(
  settings: {
    url: string;
    requests_per_minute: number;
    concurrency: number;
    timeout_ms: number;
    max_retries: number;
  },
  token: string,
  hooks: Pick<RequesterOptions, "onRequest" | "onRetry"> = {},
): PagerDutyClient {
  return createPagerDutyClient({
    ...hooks,
    baseUrl: settings.url,
    token,
    concurrency: settings.concurrency,
    requestsPerMinute: settings.requests_per_minute,
    timeoutMs: settings.timeout_ms,
    maxRetries: settings.max_retries,
  });
}
