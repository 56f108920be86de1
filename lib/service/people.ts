import { FINDING_CODES } from "@/lib/audit/types";
import type { FindingCode } from "@/lib/audit/types";
import type { Audit, AuditEvent, Item, ItemStateUpdate } from "@/lib/db/queries";
import { applyItemStates, getAuditById, listItems, listLastPings, listPersonHistory } from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import {
  chaseStepOf,
  isChaseAction,
  isPostedChaseAction,
  type BulkChaseAction,
  type ChaseAction,
} from "@/lib/workflow/chase";
import { applyUserAction, deriveStatus, isOverride, summarizePerson } from "@/lib/workflow/rules";
import type { ItemStatus, UserActionInput, WorkflowSettings } from "@/lib/workflow/types";
import { ITEM_STATUSES } from "@/lib/workflow/types";
import { issueCommenterOf, pingTargets, postPings } from "./comments";
import type { AppContext } from "./context";
import { assertAuditOpen } from "./runs";

/** One row of the findings table: a person and the state of their items. */
export interface PersonRow {
  personKey: string;
  name: string;
  email: string | null;
  gitlab: string | null;
  region: string | null;
  manager: string | null;
  inRoster: boolean;
  codes: FindingCode[];
  items: number;
  /** The least advanced status among unresolved items; null when every item is addressed. */
  status: ItemStatus | null;
  /** Every status among the person's items, addressed ones included (the status filter matches any). */
  statuses: ItemStatus[];
  nextAction: ChaseAction | null;
  dueAt: string | null;
  overdue: boolean;
  /** The newest chase step taken for the person (ping, escalation or DM). */
  lastPingAt: string | null;
}

export const PEOPLE_SORTS = ["name", "due", "status", "items"] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];

export interface PeopleQuery {
  status?: ItemStatus;
  code?: FindingCode;
  region?: string;
  manager?: string;
  overdue?: boolean;
  /** Case-insensitive substring of name, email or GitLab username. */
  q?: string;
  sort?: PeopleSort;
  page?: number;
  pageSize?: number;
}

export interface PeoplePage {
  rows: PersonRow[];
  total: number;
  page: number;
  pageSize: number;
  /** Values present in the audit, for the filter menus. */
  facets: { regions: string[]; managers: string[]; codes: FindingCode[] };
}

const STATUS_ORDER = new Map(ITEM_STATUSES.map((s, i) => [s, i]));

/** Groups an audit's items into per-person rows with their timers, as of the context's clock. */
export async function listPeopleRows(ctx: AppContext, auditId: string): Promise<PersonRow[]> {
  const [items, lastPing] = await Promise.all([listItems(ctx.db, auditId), listLastPings(ctx.db, auditId)]);
  return toPeopleRows(items, lastPing, ctx.clock.now(), ctx.workflow);
}

/** The newest chase step (ping, escalation or DM) per person among `events`. */
function lastPingsOf(events: readonly AuditEvent[]): Map<string, string> {
  const lastPing = new Map<string, string>();
  for (const event of events) {
    if (event.personKey && isChaseAction(event.action)) lastPing.set(event.personKey, event.at);
  }
  return lastPing;
}

/** Per-person rows of these items at `now`, with each person's last ping from `lastPing` (person key → at). */
export function toPeopleRows(
  items: readonly Item[],
  lastPing: ReadonlyMap<string, string>,
  now: Date,
  settings: WorkflowSettings,
): PersonRow[] {
  const byPerson = new Map<string, Item[]>();
  for (const item of items) {
    if (item.personKey === null) continue;
    const list = byPerson.get(item.personKey);
    if (list) list.push(item);
    else byPerson.set(item.personKey, [item]);
  }
  return [...byPerson].map(([key, personItems]): PersonRow => {
    const first = personItems[0] as Item;
    const summary = summarizePerson(personItems, now, settings);
    return {
      personKey: key,
      name: first.personName ?? key,
      email: first.personEmail,
      gitlab: first.gitlabUsername,
      region: first.region,
      manager: first.managerName,
      inRoster: !key.startsWith("pd:"),
      codes: [...new Set(personItems.map((i) => i.code))].sort(
        (a, b) => FINDING_CODES.indexOf(a) - FINDING_CODES.indexOf(b),
      ),
      items: personItems.length,
      status: summary.status,
      statuses: ITEM_STATUSES.filter((status) => summary.counts[status] > 0),
      nextAction: summary.nextAction,
      dueAt: summary.dueAt,
      overdue: summary.overdue,
      lastPingAt: lastPing.get(key) ?? null,
    };
  });
}

/**
 * The findings table: filtered, searched, sorted and paged on the server, so an audit of 2,000 people
 * sends one page of rows to the browser.
 */
export async function queryPeople(ctx: AppContext, auditId: string, query: PeopleQuery): Promise<PeoplePage> {
  return pagePeopleRows(await listPeopleRows(ctx, auditId), query);
}

/** One page of `all` for `query`: filtered, searched, sorted, with the facets of all rows. */
export function pagePeopleRows(all: readonly PersonRow[], query: PeopleQuery): PeoplePage {
  const needle = query.q?.trim().toLowerCase();
  const rows = all.filter(
    (row) =>
      (!query.status || row.statuses.includes(query.status)) &&
      (!query.code || row.codes.includes(query.code)) &&
      (!query.region || row.region === query.region) &&
      (!query.manager || row.manager === query.manager) &&
      (query.overdue === undefined || row.overdue === query.overdue) &&
      (!needle || [row.name, row.email, row.gitlab].some((v) => v?.toLowerCase().includes(needle))),
  );
  const sort = query.sort ?? "name";
  const byName = (a: PersonRow, b: PersonRow) => a.name.localeCompare(b.name, "en");
  rows.sort((a, b) => {
    if (sort === "due") {
      return (a.dueAt ?? "9999").localeCompare(b.dueAt ?? "9999") || byName(a, b);
    }
    if (sort === "status") {
      const rank = (r: PersonRow) => (r.status === null ? 99 : (STATUS_ORDER.get(r.status) ?? 98));
      return rank(a) - rank(b) || byName(a, b);
    }
    if (sort === "items") return b.items - a.items || byName(a, b);
    return byName(a, b);
  });
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 10), 200);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const page = Math.min(Math.max(query.page ?? 1, 1), pages);
  const distinct = (values: (string | null)[]) =>
    [...new Set(values.filter((v): v is string => v !== null))].sort((a, b) => a.localeCompare(b, "en"));
  return {
    rows: rows.slice((page - 1) * pageSize, page * pageSize),
    total: rows.length,
    page,
    pageSize,
    facets: {
      regions: distinct(all.map((r) => r.region)),
      managers: distinct(all.map((r) => r.manager)),
      codes: FINDING_CODES.filter((code) => all.some((r) => r.codes.includes(code))),
    },
  };
}

export interface PersonItem extends Item {
  status: ItemStatus;
  nextAction: ChaseAction | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface PersonDetail {
  row: PersonRow;
  items: PersonItem[];
  /** Pings, escalations, DMs, replies, resolutions without a fix (overrides marked) and reopenings, oldest first. */
  history: AuditEvent[];
}

/** One person's findings with evidence, timers and history. */
export async function getPersonDetail(
  ctx: AppContext,
  auditId: string,
  personKey: string,
): Promise<PersonDetail> {
  const now = ctx.clock.now();
  const [items, history] = await Promise.all([
    listItems(ctx.db, auditId, { personKey }),
    listPersonHistory(ctx.db, auditId, personKey),
  ]);
  const row = toPeopleRows(items, lastPingsOf(history), now, ctx.workflow)[0];
  if (!row) throw new AppError("not_found:person", "This person has no findings in this audit.");
  return {
    row,
    items: items.map((item) => ({ ...item, ...deriveStatus(item, now, ctx.workflow) })),
    history,
  };
}

export interface ActionOutcome {
  applied: number;
  /** Items the action does not apply to, with the reason. */
  skipped: { itemId: string; reason: string }[];
  /** Items someone else changed meanwhile. */
  conflicts: number;
  /**
   * What a ping or escalation went on without, for the person acting (a roster username that is not a
   * GitLab user, written without a live mention). Empty when all went as asked.
   */
  warnings: string[];
}

/**
 * Applies one action to a person's items (ping, escalate, DM: every item it applies to; resolutions: the
 * chosen items). Refused as a whole (`conflict:item`) when it applies to none: with the workflow's reason,
 * or because someone else changed every item it applied to between reading and writing; `conflict:audit`
 * when the audit is signed off, also when that happened between reading and writing.
 */
export async function actOnItems(
  ctx: AppContext,
  input: {
    auditId: string;
    personKey: string;
    itemIds?: readonly string[];
    action: UserActionInput;
    actor: string;
    /** Person key of the signed-in person acting (`actor` is their display name). */
    actorKey?: string | null;
  },
): Promise<ActionOutcome> {
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const items = await listItems(ctx.db, input.auditId, { personKey: input.personKey });
  const chosen = input.itemIds ? items.filter((i) => input.itemIds?.includes(i.id)) : items;
  if (chosen.length === 0)
    throw new AppError("not_found:item", "No such items for this person in this audit.");
  return applyToItems(ctx, audit, chosen, input.action, input, { refuseWhenNone: true });
}

/**
 * Bulk actions across people: ping everyone with open items, or escalate everyone whose follow-up is due.
 * Items the action does not apply to are left alone.
 */
export async function bulkAct(
  ctx: AppContext,
  input: { auditId: string; action: BulkChaseAction; actor: string; actorKey?: string | null },
): Promise<ActionOutcome> {
  const audit = await getAuditById(ctx.db, input.auditId);
  assertAuditOpen(audit);
  const now = ctx.clock.now();
  const items = (await listItems(ctx.db, input.auditId)).filter(
    (item) => item.personKey !== null && deriveStatus(item, now, ctx.workflow).nextAction === input.action,
  );
  return applyToItems(ctx, audit, items, { type: input.action }, input, { refuseWhenNone: false });
}

async function applyToItems(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  action: UserActionInput,
  by: { actor: string; actorKey?: string | null },
  options: { refuseWhenNone: boolean },
): Promise<ActionOutcome> {
  const now = ctx.clock.now();
  const updates: ItemStateUpdate[] = [];
  const skipped: ActionOutcome["skipped"] = [];
  for (const item of items) {
    const result = applyUserAction(item, action, now, ctx.workflow);
    if (!result.ok) {
      skipped.push({ itemId: item.id, reason: result.reason });
      continue;
    }
    updates.push({
      itemId: item.id,
      expectedState: item.state,
      // The rules decided on the whole item, not only its state: a fresh waiver or a reply keeps the state.
      expectedSince: { stateChangedAt: item.stateChangedAt, repliedAt: item.repliedAt },
      next: {
        state: result.next.state,
        stateChangedAt: result.next.stateChangedAt,
        waivedUntil: result.next.waivedUntil,
        repliedAt: result.next.repliedAt,
        ...(result.justification !== null ? { justification: result.justification } : {}),
      },
      event: {
        actor: by.actor,
        actorKey: by.actorKey ?? null,
        at: now,
        action: action.type,
        detail: {
          code: item.code,
          ...(result.justification !== null ? { justification: result.justification } : {}),
          ...(action.type === "waive" ? { until: action.until } : {}),
          // The Support Operations Manager resolved their own finding: kept with the event, shown in history.
          ...(isOverride(action) ? { override: true } : {}),
        },
      },
    });
  }
  if (updates.length === 0 && options.refuseWhenNone) {
    throw new AppError("conflict:item", skipped[0]?.reason ?? "Nothing to do.");
  }
  const { send, failure, warnings } = await notifyOnIssue(ctx, audit, items, updates, action);
  const { applied, conflicts } = await applyItemStates(ctx.db, send);
  if (failure) {
    throw new AppError(
      "upstream:gitlab",
      `Posting on the audit issue failed, so ${updates.length - send.length} finding(s) were not marked as ` +
        `${isChaseAction(action.type) ? chaseStepOf(action.type).to : action.type}${send.length > 0 ? ` (${send.length} were)` : ""}. ` +
        "Try again in a moment.",
      { cause: failure },
    );
  }
  if (options.refuseWhenNone && applied.length === 0 && conflicts.length > 0) {
    // Another person's action won the race for every item: nothing was done, so say so, as the same click a
    // moment later would (with the workflow's reason) — not "done: 0 findings".
    const current = conflicts[0]?.currentState;
    throw new AppError(
      "conflict:item",
      `Someone else acted first: the finding changed meanwhile${current ? ` (now ${current})` : ""}. ` +
        "Reload to see what was done.",
    );
  }
  return { applied: applied.length, skipped, conflicts: conflicts.length, warnings };
}

/**
 * Pings and escalations are comments on the audit issue when it exists: post them first and keep only the
 * updates whose comment was posted, with the comment's URL in the event. Other actions pass through.
 */
async function notifyOnIssue(
  ctx: AppContext,
  audit: Audit,
  items: readonly Item[],
  updates: ItemStateUpdate[],
  action: UserActionInput,
): Promise<{ send: ItemStateUpdate[]; failure: unknown; warnings: string[] }> {
  if (!isPostedChaseAction(action.type) || updates.length === 0)
    return { send: updates, failure: null, warnings: [] };
  const commenter = await issueCommenterOf(ctx, audit);
  if (!commenter) return { send: updates, failure: null, warnings: [] };
  // Only a step that mentions more than the person needs the roster (whom the person reports to).
  const roster = chaseStepOf(action.type).mentions.some((who) => who !== "person")
    ? (await ctx.loadRoster(await ctx.loadConfig())).entries.map((e) => e.person)
    : [];
  const chosen = new Set(updates.map((u) => u.itemId));
  const targets = pingTargets(
    items.filter((i) => chosen.has(i.id)),
    action.type,
    roster,
  );
  const { urls, failure, warnings } = await postPings(commenter, audit.name, action.type, targets);
  const personOf = new Map(items.map((i) => [i.id, i.personKey]));
  const send = updates.flatMap((update) => {
    const url = urls.get(personOf.get(update.itemId) ?? "");
    return url
      ? [{ ...update, event: { ...update.event, detail: { ...update.event.detail, commentUrl: url } } }]
      : [];
  });
  return { send, failure, warnings };
}
