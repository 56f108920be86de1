"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useTransition, type FormEvent } from "react";
import { statusLabel } from "@/components/status-badge";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { CODE_LABELS } from "@/lib/audit/labels";
import type { FindingCode } from "@/lib/audit/types";
import { ITEM_STATUSES } from "@/lib/workflow/types";
import { findingsSearch, hasFilters, SORT_LABELS, SORTS, type FindingsParams } from "../_lib/params";

const SEARCH_DELAY_MS = 300;

/**
 * Filters, search and sort of the Findings page. Everything lives in the URL (shareable, survives a
 * reload, works with back/forward); changing a control replaces the URL and the server renders the page.
 */
export function FilterBar({
  params,
  facets,
}: {
  params: FindingsParams;
  facets: { regions: string[]; managers: string[]; codes: FindingCode[] };
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();

  // The search box is typed into locally and sent after a pause. It follows the URL when the URL changes
  // from elsewhere (back/forward, a link), but not when the change is the one it sent itself.
  const urlQuery = params.q ?? "";
  const [query, setQuery] = useState(urlQuery);
  const [seenUrlQuery, setSeenUrlQuery] = useState(urlQuery);
  const [sentQuery, setSentQuery] = useState(urlQuery);
  if (urlQuery !== seenUrlQuery) {
    setSeenUrlQuery(urlQuery);
    if (urlQuery !== sentQuery) {
      setQuery(urlQuery);
      setSentQuery(urlQuery);
    }
  }

  const navigate = (next: FindingsParams) => {
    startTransition(() => router.replace(`${pathname}${findingsSearch(next)}`, { scroll: false }));
  };
  const update = (change: Partial<FindingsParams>) => navigate({ ...params, ...change, page: undefined });

  const sendQuery = (text: string) => {
    const trimmed = text.trim();
    setSentQuery(trimmed);
    navigate({ ...params, q: trimmed || undefined, page: undefined });
  };

  useEffect(() => {
    if (query.trim() === sentQuery) return;
    const timer = setTimeout(() => sendQuery(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (query.trim() !== sentQuery) sendQuery(query);
  };

  return (
    <form
      role="search"
      aria-label="Filter people"
      onSubmit={onSubmit}
      className="mb-4 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-7">
        <Field id="filter-q" label="Search" className="lg:col-span-2">
          <Input
            id="filter-q"
            type="search"
            value={query}
            placeholder="Name, email or GitLab username"
            autoComplete="off"
            onChange={(event) => setQuery(event.target.value)}
          />
        </Field>
        <Field id="filter-status" label="Status">
          <Select
            id="filter-status"
            value={params.status ?? ""}
            onChange={(event) =>
              update({ status: (event.target.value || undefined) as FindingsParams["status"] })
            }
          >
            <option value="">Any status</option>
            {ITEM_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="filter-code" label="Finding">
          <Select
            id="filter-code"
            value={params.code ?? ""}
            onChange={(event) =>
              update({ code: (event.target.value || undefined) as FindingsParams["code"] })
            }
          >
            <option value="">Any finding</option>
            {withCurrent(facets.codes, params.code).map((code) => (
              <option key={code} value={code}>
                {CODE_LABELS[code]}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="filter-region" label="Region">
          <Select
            id="filter-region"
            value={params.region ?? ""}
            onChange={(event) => update({ region: event.target.value || undefined })}
          >
            <option value="">Any region</option>
            {withCurrent(facets.regions, params.region).map((region) => (
              <option key={region} value={region}>
                {region}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="filter-manager" label="Manager">
          <Select
            id="filter-manager"
            value={params.manager ?? ""}
            onChange={(event) => update({ manager: event.target.value || undefined })}
          >
            <option value="">Any manager</option>
            {withCurrent(facets.managers, params.manager).map((manager) => (
              <option key={manager} value={manager}>
                {manager}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="filter-overdue" label="Overdue">
          <Select
            id="filter-overdue"
            value={params.overdue === undefined ? "" : String(params.overdue)}
            onChange={(event) =>
              update({ overdue: event.target.value === "" ? undefined : event.target.value === "true" })
            }
          >
            <option value="">Anyone</option>
            <option value="true">Overdue only</option>
            <option value="false">Not overdue</option>
          </Select>
        </Field>
      </div>
      <div className="mt-3 flex flex-wrap items-end justify-between gap-3">
        <Field id="filter-sort" label="Sort by" className="w-48">
          <Select
            id="filter-sort"
            value={params.sort ?? "name"}
            onChange={(event) => update({ sort: event.target.value as FindingsParams["sort"] })}
          >
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </Select>
        </Field>
        <div className="flex items-center gap-3">
          <span aria-live="polite" className="text-xs text-slate-500">
            {pending ? "Updating…" : ""}
          </span>
          {hasFilters(params) && (
            <Button
              variant="secondary"
              size="sm"
              onClick={() => {
                setQuery("");
                setSentQuery("");
                navigate({ sort: params.sort });
              }}
            >
              Clear filters
            </Button>
          )}
        </div>
      </div>
    </form>
  );
}

/** The menu's values, plus the one in the URL if the audit no longer has it (so the select shows it). */
function withCurrent<T extends string>(values: readonly T[], current: T | undefined): T[] {
  return current === undefined || values.includes(current) ? [...values] : [current, ...values];
}
