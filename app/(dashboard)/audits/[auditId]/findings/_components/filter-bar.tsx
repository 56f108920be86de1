"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type FormEvent, type ReactNode } from "react";
import { statusLabel } from "@/components/status-badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field, Input, Select } from "@/components/ui/field";
import { CODE_LABELS } from "@/lib/audit/labels";
import type { FindingCode } from "@/lib/audit/types";
import { ITEM_STATUSES } from "@/lib/workflow/types";
import { FILTER_KEYS, findingsSearch, SORT_LABELS, SORTS, type FindingsParams } from "../_lib/params";

const SEARCH_DELAY_MS = 300;
const MENUS_ID = "filter-menus";
const KEYS_HINT_ID = "filter-keys-hint";

/** The menus' filters (the search box stays in sight on a phone; these fold away). */
const MENU_KEYS = FILTER_KEYS.filter((key) => key !== "q");

/**
 * Filters, search and sort of the Findings page. Everything lives in the URL (shareable, survives a
 * reload, works with back/forward); applying replaces the URL and the server renders the page. A menu
 * applies when a choice is made with the mouse or the list, but stepping through it with the arrow keys
 * only applies on Enter, on leaving it, or with Apply, so the results do not reload at each step. Without
 * JavaScript the form is an ordinary GET form. On a narrow screen the menus fold behind a "Filters" button.
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
  const [expanded, setExpanded] = useState(false);

  // The menus' choices not applied yet. They follow the URL whenever it changes (an apply, a filter chip,
  // back/forward).
  const urlSearch = findingsSearch(params);
  const [draft, setDraft] = useState(params);
  const [seenUrlSearch, setSeenUrlSearch] = useState(urlSearch);

  // The search box is typed into locally and sent after a pause. It follows the URL when the URL changes
  // from elsewhere (back/forward, a link), but not when the change is the one it sent itself.
  const urlQuery = params.q ?? "";
  const [query, setQuery] = useState(urlQuery);
  const [sentQuery, setSentQuery] = useState(urlQuery);

  if (urlSearch !== seenUrlSearch) {
    setSeenUrlSearch(urlSearch);
    setDraft(params);
    if (urlQuery !== sentQuery) {
      setQuery(urlQuery);
      setSentQuery(urlQuery);
    }
  }

  const navigate = (next: FindingsParams) => {
    const search = findingsSearch({ ...next, page: undefined });
    if (search === urlSearch) return;
    startTransition(() => router.replace(`${pathname}${search}`, { scroll: false }));
  };

  /** Applies the menus as chosen (with `change` on top), keeping the search the URL has. */
  const applyMenus = (change: Partial<FindingsParams> = {}) => navigate({ ...draft, ...change, q: params.q });

  const sendQuery = (text: string) => {
    const trimmed = text.trim();
    setSentQuery(trimmed);
    navigate({ ...params, q: trimmed || undefined });
  };

  useEffect(() => {
    if (query.trim() === sentQuery) return;
    const timer = setTimeout(() => sendQuery(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  });

  // Apply (or Enter in the search box): the menus as chosen and the search as typed.
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = query.trim();
    setSentQuery(trimmed);
    navigate({ ...draft, q: trimmed || undefined });
  };

  // A menu's value is one of its options, which come from the same lists the server's parser accepts.
  const menu = (key: "status" | "code" | "region" | "manager") => ({
    value: draft[key],
    onChange: (value: string | undefined) => setDraft((d) => ({ ...d, [key]: value }) as FindingsParams),
    onCommit: (value?: string) =>
      applyMenus(value === undefined ? {} : ({ [key]: value || undefined } as Partial<FindingsParams>)),
  });
  const activeMenus = MENU_KEYS.filter((key) => params[key] !== undefined).length;

  return (
    <form
      role="search"
      aria-label="Filter people"
      action={pathname}
      method="get"
      onSubmit={onSubmit}
      className="mb-4 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <p id={KEYS_HINT_ID} className="sr-only">
        Arrow keys choose without applying; press Enter or Apply to apply.
      </p>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-7">
        <Field id="filter-q" label="Search" className="sm:col-span-2">
          <Input
            id="filter-q"
            name="q"
            type="search"
            value={query}
            placeholder="Name, email, @handle or PagerDuty ID"
            autoComplete="off"
            onChange={(event) => setQuery(event.target.value)}
          />
        </Field>
        <Button
          variant="secondary"
          className="sm:col-span-2 lg:hidden"
          aria-expanded={expanded}
          aria-controls={MENUS_ID}
          onClick={() => setExpanded((open) => !open)}
        >
          <span>
            Filters and sort
            {activeMenus > 0 && ` (${activeMenus} active)`}
          </span>
          <span aria-hidden>{expanded ? "▲" : "▼"}</span>
        </Button>
        <div
          id={MENUS_ID}
          className={cn(expanded ? "grid" : "hidden", "gap-3 sm:col-span-2 sm:grid-cols-2 lg:contents")}
        >
          <FilterSelect
            id="filter-status"
            name="status"
            label="Status"
            anyLabel="Any status"
            options={ITEM_STATUSES.map((status) => ({ value: status, label: statusLabel(status) }))}
            {...menu("status")}
          />
          <FilterSelect
            id="filter-code"
            name="code"
            label="Finding"
            anyLabel="Any finding"
            options={withCurrent(facets.codes, draft.code).map((code) => ({
              value: code,
              label: CODE_LABELS[code],
            }))}
            {...menu("code")}
          />
          <FilterSelect
            id="filter-region"
            name="region"
            label="Region"
            anyLabel="Any region"
            options={withCurrent(facets.regions, draft.region).map((region) => ({
              value: region,
              label: region,
            }))}
            {...menu("region")}
          />
          <FilterSelect
            id="filter-manager"
            name="manager"
            label="Manager"
            anyLabel="Any manager"
            options={withCurrent(facets.managers, draft.manager).map((manager) => ({
              value: manager,
              label: manager,
            }))}
            {...menu("manager")}
          />
          <Field id="filter-overdue" label="Overdue">
            <CommitSelect
              id="filter-overdue"
              name="overdue"
              value={draft.overdue === undefined ? "" : String(draft.overdue)}
              onChange={(value) => setDraft((d) => ({ ...d, overdue: overdueOf(value) }))}
              onCommit={(value) => applyMenus(value === undefined ? {} : { overdue: overdueOf(value) })}
            >
              <option value="">Anyone</option>
              <option value="true">Overdue only</option>
              <option value="false">Not overdue</option>
            </CommitSelect>
          </Field>
          <div className="flex flex-wrap items-end justify-between gap-3 sm:col-span-2 lg:col-span-7">
            <Field id="filter-sort" label="Sort by" className="w-56">
              <CommitSelect
                id="filter-sort"
                name="sort"
                value={draft.sort ?? "name"}
                // Another sort starts in its own direction.
                onChange={(value) => setDraft((d) => ({ ...d, sort: sortOf(value), dir: undefined }))}
                onCommit={(value) =>
                  applyMenus(value === undefined ? {} : { sort: sortOf(value), dir: undefined })
                }
              >
                {SORTS.map((sort) => (
                  <option key={sort} value={sort}>
                    {SORT_LABELS[sort]}
                  </option>
                ))}
              </CommitSelect>
            </Field>
            <div className="flex items-center gap-3">
              <span aria-live="polite" className="text-xs text-slate-500">
                {pending ? "Updating…" : ""}
              </span>
              <Button type="submit" variant="secondary">
                Apply
              </Button>
            </div>
          </div>
        </div>
      </div>
    </form>
  );
}

function overdueOf(value: string): boolean | undefined {
  return value === "" ? undefined : value === "true";
}

function sortOf(value: string): FindingsParams["sort"] {
  return SORTS.find((sort) => sort === value);
}

/** The menu's values, plus the one in the URL if the audit no longer has it (so the select shows it). */
function withCurrent<T extends string>(values: readonly T[], current: T | undefined): T[] {
  return current === undefined || values.includes(current) ? [...values] : [current, ...values];
}

/** Whether an option's value is what the browser reads from its text alone. */
function isOwnText(option: { value: string; label: string }): boolean {
  return option.value === option.label && !/^\s|\s$|\s\s|[\t\n\f\r]/.test(option.value);
}

/** One filter menu: "any" first (no filter), then the values; choosing "any" clears the filter. */
function FilterSelect({
  id,
  name,
  label,
  anyLabel,
  value,
  options,
  onChange,
  onCommit,
}: {
  id: string;
  name: string;
  label: string;
  anyLabel: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
  onCommit: (value?: string) => void;
}) {
  return (
    <Field id={id} label={label}>
      <CommitSelect
        id={id}
        name={name}
        value={value ?? ""}
        onChange={(next) => onChange(next || undefined)}
        onCommit={onCommit}
      >
        <option value="">{anyLabel}</option>
        {options.map((option) => (
          // An option without a value has its text as value: a manager menu lists hundreds of names, each
          // sent once instead of twice. Only where the text is the value exactly (the browser collapses
          // and trims the spaces of an option's text).
          <option key={option.value} value={isOwnText(option) ? undefined : option.value}>
            {option.label}
          </option>
        ))}
      </CommitSelect>
    </Field>
  );
}

/**
 * A select that tells a choice from a step: a change made with the pointer (or the opened list, or a
 * script) is committed at once (`onCommit(value)`); one made with the arrow keys (or type-ahead) on the
 * closed select is only recorded (`onChange`) and committed on Enter or when the select loses focus
 * (`onCommit()`: whatever was recorded).
 */
function CommitSelect({
  id,
  name,
  value,
  onChange,
  onCommit,
  children,
}: {
  id: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  onCommit: (value?: string) => void;
  children: ReactNode;
}) {
  const stepping = useRef(false);
  return (
    <Select
      id={id}
      name={name}
      value={value}
      aria-describedby={KEYS_HINT_ID}
      onPointerDown={() => {
        stepping.current = false;
      }}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          stepping.current = false;
          onCommit();
        } else if (event.key === " " || event.altKey || event.key === "F4") {
          // Opens the list: the option picked there is a choice.
          stepping.current = false;
        } else if (!["Tab", "Shift", "Escape", "Control", "Meta"].includes(event.key)) {
          stepping.current = true;
        }
      }}
      onChange={(event) => {
        onChange(event.target.value);
        if (!stepping.current) onCommit(event.target.value);
      }}
      onBlur={() => {
        if (stepping.current) onCommit();
        stepping.current = false;
      }}
    >
      {children}
    </Select>
  );
}
