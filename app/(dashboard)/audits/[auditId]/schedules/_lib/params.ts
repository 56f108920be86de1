/**
 * The Schedules page's URL state: `?show=problems|all`, read by the server page and written by its links
 * (no script needed). Pure and safe for both.
 */
import { COVERAGE_SHOWS, type CoverageShow } from "@/lib/service/coverage-view";

export type SearchParams = Record<string, string | string[] | undefined>;

export interface SchedulesParams {
  /** Absent: the page picks by the org's size (`coverageShowOf`). */
  show?: CoverageShow;
}

/** Reads the page's search params; an unknown value is ignored rather than refused (links get old). */
export function parseSchedulesParams(searchParams: SearchParams): SchedulesParams {
  const raw = searchParams.show;
  const show = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return (COVERAGE_SHOWS as readonly (string | undefined)[]).includes(show)
    ? { show: show as CoverageShow }
    : {};
}

/** `?show=…`, or "" when nothing is set. */
export function schedulesSearch(params: SchedulesParams): string {
  return params.show ? `?show=${params.show}` : "";
}
