import Link from "next/link";
import { statusLabel } from "@/components/status-badge";
import { CODE_LABELS } from "@/lib/audit/labels";
import {
  FILTER_KEYS,
  withoutFilter,
  withoutFilters,
  type FilterKey,
  type FindingsParams,
} from "../_lib/params";

const NAMES: Record<FilterKey, string> = {
  q: "Search",
  status: "Status",
  code: "Finding",
  region: "Region",
  manager: "Manager",
  overdue: "Overdue",
};

/** How a filter's value reads on its chip. */
function valueOf(params: FindingsParams, key: FilterKey): string | null {
  switch (key) {
    case "status":
      return params.status ? statusLabel(params.status) : null;
    case "code":
      return params.code ? CODE_LABELS[params.code] : null;
    case "overdue":
      return params.overdue === undefined ? null : params.overdue ? "Overdue only" : "Not overdue";
    default:
      return params[key] ?? null;
  }
}

/**
 * The filters narrowing the list, each a chip whose link removes it (sort kept, back to page 1), and
 * "Clear all". Shown below the filter bar, so they are in sight when its menus are folded on a phone.
 */
export function ActiveFilters({
  params,
  hrefFor,
}: {
  params: FindingsParams;
  hrefFor: (params: FindingsParams) => string;
}) {
  const chips = FILTER_KEYS.flatMap((key) => {
    const value = valueOf(params, key);
    return value === null ? [] : [{ key, name: NAMES[key], value }];
  });
  if (chips.length === 0) return null;
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2 text-sm">
      <span id="active-filters-label" className="text-xs font-medium text-slate-600">
        Filtered by
      </span>
      <ul aria-labelledby="active-filters-label" className="flex min-w-0 flex-wrap gap-2">
        {chips.map((chip) => (
          <li key={chip.key} className="min-w-0">
            <Link
              href={hrefFor(withoutFilter(params, chip.key))}
              scroll={false}
              aria-label={`${chip.name}: ${chip.value}, remove this filter`}
              className="inline-flex max-w-full items-center gap-1.5 rounded-full bg-indigo-50 px-2.5 py-1 text-xs font-medium text-indigo-800 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              <span className="truncate">
                {chip.name}: {chip.value}
              </span>
              <span aria-hidden>×</span>
            </Link>
          </li>
        ))}
      </ul>
      <Link
        href={hrefFor(withoutFilters(params))}
        scroll={false}
        className="text-xs font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        Clear all
      </Link>
    </div>
  );
}
