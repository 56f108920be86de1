/**
 * What the findings table is given: a compact row per person and where each sortable header leads. Plain
 * data, so the table can be a client component that the server hands only this (not rendered markup), and
 * the server pages can use the labels without importing a client module.
 */
import type { PeopleSort, PersonRow, SortDirection } from "@/lib/service/findings";
import { CHASE_LABELS } from "@/lib/workflow/chase";

export const NEXT_ACTION_LABELS: Record<NonNullable<PersonRow["nextAction"]>, string> = CHASE_LABELS;

/**
 * One person as the table shows them: a `PersonRow` without what only the server's filters and search read
 * (PagerDuty IDs, every status), with the text that tells two people of one name apart and their page.
 */
export interface FindingsTableRow extends Pick<
  PersonRow,
  | "personKey"
  | "name"
  | "region"
  | "manager"
  | "inRoster"
  | "codes"
  | "items"
  | "status"
  | "nextAction"
  | "dueAt"
  | "overdue"
  | "lastPingAt"
  | "owner"
> {
  /** `@handle`, else the email, else the person key. */
  handle: string;
  /** The person's page. */
  href: string;
}

/** The table's row for `row`, whose person page is at `href`. */
export function toFindingsTableRow(row: PersonRow, href: string): FindingsTableRow {
  return {
    personKey: row.personKey,
    name: row.name,
    handle: row.gitlab ? `@${row.gitlab}` : (row.email ?? row.personKey),
    href,
    region: row.region,
    manager: row.manager,
    inRoster: row.inRoster,
    codes: row.codes,
    items: row.items,
    status: row.status,
    nextAction: row.nextAction,
    dueAt: row.dueAt,
    overdue: row.overdue,
    lastPingAt: row.lastPingAt,
    owner: row.owner,
  };
}

/** A sortable header: where its link leads and the direction that sorts in (for its accessible name). */
export interface SortLink {
  href: string;
  dir: SortDirection;
}

/** The list's order and each sortable header's link (the page owns the URL). */
export interface TableSort {
  sort: PeopleSort;
  dir: SortDirection;
  /** Per sort: the list sorted by it, reversed when it already is, else in that sort's own direction. */
  links: Record<PeopleSort, SortLink>;
}
