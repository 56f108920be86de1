/**
 * The findings read model: per-person rows of an audit's items with their timers and last chase step, the
 * findings table's filtering, sorting and paging, a person's detail, and the Findings page's view.
 *
 * The rows and the audit's counts are derived once per version of the audit's data and kept in memory
 * (`readFindingsModel`): items change only with an action, a reply or a run, each of which moves the
 * version stamp in the database, so every app instance sees another's change at its next request.
 */
import { pagerDutySiteOf, pagerDutyUserUrl } from "@/lib/pagerduty/web-links";
import { FINDING_CODES } from "@/lib/audit/types";
import type { FindingCode } from "@/lib/audit/types";
import type { AuditEvent, Db, Item } from "@/lib/db/queries";
import {
  getAuditById,
  getAuditDataVersion,
  getLatestRun,
  listEvents,
  listItems,
  listLastPings,
  listPersonHistory,
} from "@/lib/db/queries";
import { AppError } from "@/lib/errors";
import { isRosterPersonKey } from "@/lib/roster/person-key";
import type { ChaseAction } from "@/lib/workflow/chase";
import { ownerOf, scheduleOwnerTaskOf } from "@/lib/workflow/owners";
import { deriveStatus, nextStatusChangeAt, summarizePerson, type DerivedStatus } from "@/lib/workflow/rules";
import type { ItemStatus, WorkflowSettings } from "@/lib/workflow/types";
import { ITEM_STATUSES, UNRESOLVED_STATES } from "@/lib/workflow/types";
import { activityOf, type ActivityEntry } from "./activity";
import type { AppContext } from "./context";
import type { Audit, Run } from "@/lib/db/queries";
import { summarizeItems, type AuditSummary } from "./overview";
import {
  comparePeopleRows,
  defaultDirectionOf,
  matchesPeopleSearch,
  pagerDutyIdsOf,
  type PeopleSort,
  type SortDirection,
} from "./people-query";
import { showRun } from "./runs";
import { workflowOf } from "./workflow-settings";
import { keptPerVersion, type KeptPerVersion } from "./kept-per-version";

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

/** Names sort as `localeCompare(…, "en")` does, without building a collator per comparison. */
const BY_NAME = new Intl.Collator("en");

/** Groups an audit's items into per-person rows with their timers, as of the context's clock. */
export async function listPeopleRows(ctx: AppContext, auditId: string): Promise<PersonRow[]> {
  return [...(await readFindingsModel(ctx, auditId)).rows];
}

/**
 * What the findings pages derive from an audit's items at one version of its data, as of one moment, and
 * how long it holds: nothing in it depends on the clock until a timer falls due or a waiver ends.
 */
interface FindingsModel {
  /** Every person's row (frozen: requests share them). */
  rows: readonly PersonRow[];
  /** `rows` in each sort asked for so far. */
  /** Sorted rows per `sort direction`, made on first use. */
  sorted: Map<string, readonly PersonRow[]>;
  facets: PeoplePage["facets"];
  items: readonly Item[];
  workflow: WorkflowSettings;
  /** The audit's counts, by what else they depend on: the audit's and its latest run's state. */
  summaries: Map<string, AuditSummary>;
  /** The audit's PagerDuty site (`pagerDutySiteOfItems`), found on first use. */
  site?: string | null;
  /** Each person's row and items (in the audit's order), indexed on first use. */
  people?: Map<string, { row: PersonRow; items: Item[] }>;
  /** Each item's status as of the model (`deriveStatus`), by item id, derived on first use per person. */
  derived: Map<string, DerivedStatus>;
  /** App-clock ms: the model is what the rules say at any moment in [from, until). */
  from: number;
  until: number;
}

/** Per database handle and audit: the newest model read, by version stamp and workflow settings. */
const MODELS: KeptPerVersion<FindingsModel> = new WeakMap();

/**
 * The audit's read model for this request: the one kept, while the audit's data version and the workflow
 * settings (the config's working time may change without a restart) are those it was read at and the
 * clock is within its span; else read again (once, however many requests ask at the same time).
 */
async function readFindingsModel(ctx: AppContext, auditId: string): Promise<FindingsModel> {
  const version = await getAuditDataVersion(ctx.db, auditId);
  const workflow = await workflowOf(ctx);
  const now = ctx.clock.now();
  return keptPerVersion(
    MODELS,
    ctx.db,
    auditId,
    `${version} ${JSON.stringify(workflow)}`,
    () => deriveFindingsModel(ctx.db, auditId, now, workflow),
    (model) => model.from <= now.getTime() && now.getTime() < model.until,
  );
}

async function deriveFindingsModel(
  db: Db,
  auditId: string,
  now: Date,
  workflow: WorkflowSettings,
): Promise<FindingsModel> {
  const [items, lastPing] = await Promise.all([listItems(db, auditId), listLastPings(db, auditId)]);
  const rows = toPeopleRows(items, lastPing, now, workflow).map((row) =>
    Object.freeze({ ...row, codes: Object.freeze(row.codes), statuses: Object.freeze(row.statuses) }),
  ) as PersonRow[];
  let until = Number.POSITIVE_INFINITY;
  for (const item of items) {
    const change = nextStatusChangeAt(item, now, workflow);
    if (change !== null) until = Math.min(until, change.getTime());
  }
  return {
    rows,
    sorted: new Map(),
    facets: facetsOf(rows),
    items,
    workflow,
    summaries: new Map(),
    derived: new Map(),
    from: now.getTime(),
    until,
  };
}

/**
 * The audit's summary from the model: its counts derived once per state of the audit and its latest run
 * (a sign-off, a run starting), as of the model's moment; the audit and the run themselves as read now.
 */
function summaryOfModel(
  ctx: AppContext,
  model: FindingsModel,
  audit: Audit,
  latestRun: Run | null,
): AuditSummary {
  const shown = latestRun && showRun(ctx, latestRun);
  const key = JSON.stringify([audit.status, audit.signedOffAt, shown?.id, shown?.status]);
  let summary = model.summaries.get(key);
  if (!summary) {
    const at = new Date(model.from);
    // The counts as of the model's moment, which they hold until its end, like its rows.
    const clock = { ...ctx.clock, now: () => at };
    summary = summarizeItems({ ...ctx, clock }, audit, latestRun, [...model.items], model.workflow);
    model.summaries.set(key, summary);
  }
  return { ...summary, audit, latestRun: shown };
}

/** The model's rows in this sort, sorted once per model. */
function sortedRowsOf(
  model: FindingsModel,
  sort: PeopleSort = "name",
  direction: SortDirection = defaultDirectionOf(sort),
): readonly PersonRow[] {
  const key = `${sort} ${direction}`;
  let rows = model.sorted.get(key);
  if (!rows) {
    rows = [...model.rows].sort(comparePeopleRows(sort, direction));
    model.sorted.set(key, rows);
  }
  return rows;
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
  const model = await readFindingsModel(ctx, auditId);
  return pageSortedRows(sortedRowsOf(model, query.sort, query.dir), query, model.facets);
}

/** One page of `all` for `query`: filtered, searched, sorted, with the facets of all rows. */
export function pagePeopleRows(all: readonly PersonRow[], query: PeopleQuery): PeoplePage {
  const sorted = [...all].sort(comparePeopleRows(query.sort, query.dir));
  return pageSortedRows(sorted, query, facetsOf(all));
}

/** Values present among the rows, for the filter menus. */
function facetsOf(all: readonly PersonRow[]): PeoplePage["facets"] {
  const distinct = (values: (string | null)[]) =>
    [...new Set(values.filter((v): v is string => v !== null))].sort(BY_NAME.compare);
  return {
    regions: distinct(all.map((r) => r.region)),
    managers: distinct(all.map((r) => r.manager)),
    codes: FINDING_CODES.filter((code) => all.some((r) => r.codes.includes(code))),
  };
}

/**
 * One page of `sorted` (already in the query's sort) for `query`: filtered and searched; filtering keeps
 * the order, so a sort is done once per model rather than per request.
 */
function pageSortedRows(
  sorted: readonly PersonRow[],
  query: PeopleQuery,
  facets: PeoplePage["facets"],
): PeoplePage {
  const rows = sorted.filter(
    (row) =>
      (!query.status || row.statuses.includes(query.status)) &&
      (!query.code || row.codes.includes(query.code)) &&
      (!query.region || row.region === query.region) &&
      (!query.manager || row.manager === query.manager) &&
      (query.overdue === undefined || row.overdue === query.overdue) &&
      matchesPeopleSearch(row, query.q),
  );
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 10), 200);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const page = Math.min(Math.max(query.page ?? 1, 1), pages);
  return {
    rows: rows.slice((page - 1) * pageSize, page * pageSize),
    total: rows.length,
    page,
    pageSize,
    facets,
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

/**
 * One person's findings with evidence, timers and history: the row and the items' timers from the audit's
 * read model (derived once per version of its data, as the findings table's), the history read now.
 */
export async function getPersonDetail(
  ctx: AppContext,
  auditId: string,
  personKey: string,
): Promise<PersonDetail> {
  const [model, history, events] = await Promise.all([
    readFindingsModel(ctx, auditId),
    listPersonHistory(ctx.db, auditId, personKey),
    listEvents(ctx.db, { auditId, personKey }),
  ]);
  const person = personOfModel(model, personKey);
  if (!person) throw new AppError("not_found:person", "This person has no findings in this audit.");
  const { row, items } = person;
  const resolutions = resolutionsOf(items, events);
  return {
    row,
    items: items.map((item) => ({
      ...item,
      ...derivedStatusOf(model, item),
      resolution: resolutions.get(item.id) ?? null,
      owner: ownerOf(item),
      ownerTask: scheduleOwnerTaskOf(item.code),
      pagerdutyLinks: pagerDutyLinksOf(item),
    })),
    history,
    activity: activityOf(events.toReversed().map((event) => ({ event, personName: row.name }))),
  };
}

/** The person's row and items in the model; undefined when they have no findings in the audit. */
function personOfModel(
  model: FindingsModel,
  personKey: string,
): { row: PersonRow; items: Item[] } | undefined {
  if (!model.people) {
    const people = new Map<string, { row: PersonRow; items: Item[] }>();
    for (const row of model.rows) people.set(row.personKey, { row, items: [] });
    for (const item of model.items) {
      if (item.personKey !== null) people.get(item.personKey)?.items.push(item);
    }
    model.people = people;
  }
  return model.people.get(personKey);
}

/** The item's status as of the model's moment, which holds until its end (as its rows' do). */
function derivedStatusOf(model: FindingsModel, item: Item): DerivedStatus {
  let derived = model.derived.get(item.id);
  if (!derived) {
    derived = deriveStatus(item, new Date(model.from), model.workflow);
    model.derived.set(item.id, derived);
  }
  return derived;
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
 * item of the audit: its read model's, found once per model (reading and parsing every item of the audit
 * again, for a person without a schedule page, grew with the audit on every visit). Null before a run
 * recorded one.
 */
export async function getPagerDutySite(
  ctx: AppContext,
  auditId: string,
  items: readonly Pick<Item, "evidence">[] = [],
): Promise<string | null> {
  const own = pagerDutySiteOfItems(items);
  if (own !== null) return own;
  const model = await readFindingsModel(ctx, auditId);
  if (model.site === undefined) model.site = pagerDutySiteOfItems(model.items);
  return model.site;
}

/**
 * The Findings page: the audit's counts and one page of its people, from the audit's read model (derived
 * once per version of its data) and fresh reads of the audit and its latest run.
 */
export async function getFindingsView(
  ctx: AppContext,
  auditId: string,
  query: PeopleQuery,
): Promise<{ summary: AuditSummary; page: PeoplePage }> {
  const [audit, latestRun, model] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestRun(ctx.db, auditId),
    readFindingsModel(ctx, auditId),
  ]);
  return {
    summary: summaryOfModel(ctx, model, audit, latestRun),
    page: pageSortedRows(sortedRowsOf(model, query.sort, query.dir), query, model.facets),
  };
}

/**
 * An audit's counts by status and code, people overdue and sign-off readiness (as `summarizeAudit`), from
 * its read model: what every page showing the counts asks.
 */
export async function getAuditSummary(ctx: AppContext, auditId: string): Promise<AuditSummary> {
  const [audit, latestRun, model] = await Promise.all([
    getAuditById(ctx.db, auditId),
    getLatestRun(ctx.db, auditId),
    readFindingsModel(ctx, auditId),
  ]);
  return summaryOfModel(ctx, model, audit, latestRun);
}
