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
        <FilterSelect
          id="filter-status"
          label="Status"
          anyLabel="Any status"
          value={params.status}
          options={ITEM_STATUSES.map((status) => ({ value: status, label: statusLabel(status) }))}
          onChange={(value) => update({ status: value as FindingsParams["status"] })}
        />
        <FilterSelect
          id="filter-code"
          label="Finding"
          anyLabel="Any finding"
          value={params.code}
          options={withCurrent(facets.codes, params.code).map((code) => ({
            value: code,
            label: CODE_LABELS[code],
          }))}
          onChange={(value) => update({ code: value as FindingsParams["code"] })}
        />
        <FilterSelect
          id="filter-region"
          label="Region"
          anyLabel="Any region"
          value={params.region}
          options={withCurrent(facets.regions, params.region).map((region) => ({
            value: region,
            label: region,
          }))}
          onChange={(value) => update({ region: value })}
        />
        <FilterSelect
          id="filter-manager"
          label="Manager"
          anyLabel="Any manager"
          value={params.manager}
          options={withCurrent(facets.managers, params.manager).map((manager) => ({
            value: manager,
            label: manager,
          }))}
          onChange={(value) => update({ manager: value })}
        />
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

/** One filter menu: "any" first (no filter), then the values; choosing "any" clears the filter. */
function FilterSelect({
  id,
  label,
  anyLabel,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  anyLabel: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <Field id={id} label={label}>
      <Select id={id} value={value ?? ""} onChange={(event) => onChange(event.target.value || undefined)}>
        <option value="">{anyLabel}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}
