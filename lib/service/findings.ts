/**
 * The findings read model: per-person rows of an audit's items with their timers and last chase step, the
 * findings table's filtering, sorting and paging, a person's detail, and the Findings page's view.
 */
import { pagerDutySiteOf, pagerDutyUserUrl } from "@/lib/pagerduty/web-links";
import { FINDING_CODES } from "@/lib/audit/types";
import type { FindingCode } from "@/lib/audit/types";
import type { AuditEvent, Item } from "@/lib/db/queries";
import {
  getAuditById,
  getLatestRun,
  listEvents,
  listItems,
  listLastPings,
  listPersonHistory,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { isRosterPersonKey } from "@/lib/roster/person-key";
import { isChaseAction, type ChaseAction } from "@/lib/workflow/chase";
import { ownerOf, scheduleOwnerTaskOf } from "@/lib/workflow/owners";
import { deriveStatus, summarizePerson } from "@/lib/workflow/rules";
import type { ItemStatus, WorkflowSettings } from "@/lib/workflow/types";
import { ITEM_STATUSES, UNRESOLVED_STATES } from "@/lib/workflow/types";
import { activityOf, type ActivityEntry } from "./activity";
import type { AppContext } from "./context";
import { summarizeItems, type AuditSummary } from "./overview";
import {
  comparePeopleRows,
  matchesPeopleSearch,
  pagerDutyIdsOf,
  type PeopleSort,
  type SortDirection,
} from "./people-query";
import { workflowOf } from "./workflow-settings";

export { PEOPLE_SORTS, SORT_DIRECTIONS, type PeopleSort, type SortDirection } from "./people-query";

/** One row of the findings table: a person and the state of their items. */
export interface PersonRow {
  personKey: string;
  name: string;
  email: string | null;
  gitlab: string | null;
  /** The PagerDuty user IDs the person's findings name as theirs (`pagerDutyIdsOf`), for search. */
  pagerdutyIds: string[];
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
  /**
   * Who fixes the person's findings when none is a colleague's to fix (someone on a schedule who is not in
   * the roster, a deleted user): the schedules' owners (`ownerOf`), joined; null when the person is chased.
   */
  owner: string | null;
}

export interface PeopleQuery {
  status?: ItemStatus;
  code?: FindingCode;
  region?: string;
  manager?: string;
  overdue?: boolean;
  /** Search text: `matchesPeopleSearch` (`@handle`, a PagerDuty ID, part of a name, email or username). */
  q?: string;
  sort?: PeopleSort;
  /** The sort's direction; its default direction when absent (`defaultDirectionOf`). */
  dir?: SortDirection;
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

/** Groups an audit's items into per-person rows with their timers, as of the context's clock. */
export async function listPeopleRows(ctx: AppContext, auditId: string): Promise<PersonRow[]> {
  const [items, lastPing] = await Promise.all([listItems(ctx.db, auditId), listLastPings(ctx.db, auditId)]);
  return toPeopleRows(items, lastPing, ctx.clock.now(), await workflowOf(ctx));
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
      pagerdutyIds: pagerDutyIdsOf(personItems),
      region: first.region,
      manager: first.managerName,
      inRoster: isRosterPersonKey(key),
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
      owner: ownersOf(personItems),
    };
  });
}

/** The owners of these items' findings, joined, when none is a colleague's to fix; else null. */
function ownersOf(items: readonly Item[]): string | null {
  const owners = items.map(ownerOf);
  if (owners.some((owner) => owner === null)) return null;
  return [...new Set(owners)].join(", ");
}

/**
 * The findings table: filtered, searched, sorted and paged on the server, so an audit of 2,000 people
 * sends one page of rows to the browser. `not_found:audit` for an unknown audit (not an empty page).
 */
export async function queryPeople(ctx: AppContext, auditId: string, query: PeopleQuery): Promise<PeoplePage> {
  await getAuditById(ctx.db, auditId);
  return pagePeopleRows(await listPeopleRows(ctx, auditId), query);
}

/** One page of `all` for `query`: filtered, searched, sorted, with the facets of all rows. */
export function pagePeopleRows(all: readonly PersonRow[], query: PeopleQuery): PeoplePage {
  const rows = all.filter(
    (row) =>
      (!query.status || row.statuses.includes(query.status)) &&
      (!query.code || row.codes.includes(query.code)) &&
      (!query.region || row.region === query.region) &&
      (!query.manager || row.manager === query.manager) &&
      (query.overdue === undefined || row.overdue === query.overdue) &&
      matchesPeopleSearch(row, query.q),
  );
  rows.sort(comparePeopleRows(query.sort, query.dir));
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

/** Who resolved a finding and when: the event that put it in its state (fixed, intentional, waived). */
export interface Resolution {
  /** `mark_intentional`, `waive`, or `fixed_by_rerun` (a run no longer found it). */
  action: AuditEvent["action"];
  /** Display name of who decided (`system`, or whoever started the run, for a fix). */
  actor: string;
  /** Person key of who decided; null for the system and for events stored before keys were. */
  actorKey: string | null;
  at: string;
}

/**
 * Each resolved item's resolution among `events` (any order of the log's ids): the newest event that moved
 * it into the state it is in now (a waiver given again counts from the newest). Unresolved items have none.
 */
export function resolutionsOf(
  items: readonly Item[],
  events: readonly AuditEvent[],
): Map<string, Resolution> {
  const stateOf = new Map(
    items.filter((i) => !UNRESOLVED_STATES.includes(i.state)).map((i) => [i.id, i.state] as const),
  );
  const resolutions = new Map<string, Resolution & { id: number }>();
  for (const event of events) {
    if (event.itemId === null || event.toState === null || stateOf.get(event.itemId) !== event.toState)
      continue;
    const previous = resolutions.get(event.itemId);
    if (previous && previous.id > event.id) continue;
    resolutions.set(event.itemId, {
      id: event.id,
      action: event.action,
      actor: event.actor,
      actorKey: event.actorKey,
      at: event.at,
    });
  }
  return new Map([...resolutions].map(([itemId, { id: _id, ...resolution }]) => [itemId, resolution]));
}

/** Where the owner of a finding no colleague can fix sees it in PagerDuty (null: no page to link). */
export interface PagerDutyLinks {
  /** The schedule's page, as PagerDuty gave it to the run. */
  schedule: string | null;
  /** The PagerDuty user's page, beside the schedule's; null for a deleted user (PagerDuty has none). */
  user: string | null;
}

export interface PersonItem extends Item {
  status: ItemStatus;
  /** Who fixes it when no colleague can (`ownerOf`); null for a colleague's finding, who is chased. */
  owner: string | null;
  /** What the owner does (owners.ts); null for a colleague's finding. */
  ownerTask: string | null;
  pagerdutyLinks: PagerDutyLinks;
  /** Who resolved it and when; null while it is unresolved. */
  resolution: Resolution | null;
  nextAction: ChaseAction | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface PersonDetail {
  row: PersonRow;
  items: PersonItem[];
  /** Pings, escalations, DMs, replies, resolutions without a fix (overrides marked) and reopenings, oldest first. */
  history: AuditEvent[];
  /** The history with what re-runs found of the person's findings (fixed, back after a fix), newest first. */
  activity: ActivityEntry[];
}

/** One person's findings with evidence, timers and history. */
export async function getPersonDetail(
  ctx: AppContext,
  auditId: string,
  personKey: string,
): Promise<PersonDetail> {
  const now = ctx.clock.now();
  const [items, history, events] = await Promise.all([
    listItems(ctx.db, auditId, { personKey }),
    listPersonHistory(ctx.db, auditId, personKey),
    listEvents(ctx.db, { auditId, personKey }),
  ]);
  const workflow = await workflowOf(ctx);
  const row = toPeopleRows(items, lastPingsOf(history), now, workflow)[0];
  if (!row) throw new AppError("not_found:person", "This person has no findings in this audit.");
  const resolutions = resolutionsOf(items, events);
  return {
    row,
    items: items.map((item) => ({
      ...item,
      ...deriveStatus(item, now, workflow),
      resolution: resolutions.get(item.id) ?? null,
      owner: ownerOf(item),
      ownerTask: scheduleOwnerTaskOf(item.code),
      pagerdutyLinks: pagerDutyLinksOf(item),
    })),
    history,
    activity: activityOf(events.toReversed().map((event) => ({ event, personName: row.name }))),
  };
}

/**
 * The PagerDuty pages of an item's schedule and user: the schedule's from the run's evidence (`schedule_url`,
 * PagerDuty's own link); the user's beside it on the same site, unless the user is deleted.
 */
function pagerDutyLinksOf(item: Item): PagerDutyLinks {
  const schedule = item.evidence.schedule_url;
  const userId = item.evidence.pagerduty_id;
  const site = pagerDutySiteOfItems([item]);
  if (typeof schedule !== "string" || site === null) return { schedule: null, user: null };
  const user =
    typeof userId === "string" && item.code !== "deleted_user_in_schedule"
      ? pagerDutyUserUrl(site, userId)
      : null;
  return { schedule, user };
}

/**
 * The PagerDuty site (`https://acme.pagerduty.com`) of these items, from the first schedule page a run
 * recorded (`schedule_url`): the API is on another host, so the web pages' host is known only from a link
 * PagerDuty gave. Null when none has one.
 */
export function pagerDutySiteOfItems(items: readonly Pick<Item, "evidence">[]): string | null {
  for (const item of items) {
    const url = item.evidence.schedule_url;
    const site = typeof url === "string" ? pagerDutySiteOf(url) : null;
    if (site !== null) return site;
  }
  return null;
}

/**
 * The audit's PagerDuty site: from `items` (a person's) when one of them has a schedule page, else from any
 * item of the audit. Null before a run recorded one.
 */
export async function getPagerDutySite(
  ctx: AppContext,
  auditId: string,
  items: readonly Pick<Item, "evidence">[] = [],
): Promise<string | null> {
  return pagerDutySiteOfItems(items) ?? pagerDutySiteOfItems(await listItems(ctx.db, auditId));
}

/**
 * The Findings page: the audit's counts and one page of its people, from one read of the items and one of
 * the last pings (not two reads of the items and the whole event log).
 */
export async function getFindingsView(
  ctx: AppContext,
  auditId: string,
  query: PeopleQuery,
): Promise<{ summary: AuditSummary; page: PeoplePage }> {
  const [audit, latestRun, items, lastPing] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestRun(ctx.db, auditId),
    listItems(ctx.db, auditId),
    listLastPings(ctx.db, auditId),
  ]);
  const workflow = await workflowOf(ctx);
  return {
    summary: summarizeItems(ctx, audit, latestRun, items, workflow),
    page: pagePeopleRows(toPeopleRows(items, lastPing, ctx.clock.now(), workflow), query),
  };
}
