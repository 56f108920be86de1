import type { Metadata } from "next";
import Link from "next/link";
import { FindingsTable } from "@/components/findings-table";
import { toFindingsTableRow, type SortLink } from "@/components/findings-table-rows";
import { PageHeader } from "@/components/page-header";
import { Pagination } from "@/components/pagination";
import { AuditEyebrow } from "@/components/status-badge";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/states";
import { can } from "@/lib/auth/roles";
import { getAppContext } from "@/lib/service/app-context";
import { getFindingsView, PEOPLE_SORTS, type PeopleSort } from "@/lib/service/findings";
import { BULK_CHASE_ACTIONS, chaseStepOf, type BulkChaseAction } from "@/lib/workflow/chase";
import { requireAudit, requireSessionUser } from "../../../_lib/data";
import { findingsPath, personPath } from "../../../_lib/paths";
import { ActiveFilters } from "./_components/active-filters";
import { BulkActions } from "./_components/bulk-actions";
import { CheckRepliesButton } from "./_components/check-replies-button";
import { FilterBar } from "./_components/filter-bar";
import {
  findingsSearch,
  hasFilters,
  parseFindingsParams,
  sortedBy,
  sortOf,
  toPeopleQuery,
  withoutFilters,
  type FindingsParams,
  type SearchParams,
} from "./_lib/params";

export const metadata: Metadata = { title: "Findings" };

export default async function FindingsPage({
  params,
  searchParams,
}: {
  params: Promise<{ auditId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const auditId = decodeURIComponent((await params).auditId);
  const filters = parseFindingsParams(await searchParams);
  const user = await requireSessionUser(findingsPath(auditId, findingsSearch(filters)));
  const audit = await requireAudit(auditId);
  const ctx = await getAppContext();
  const { page, summary } = await getFindingsView(ctx, auditId, toPeopleQuery(filters));
  const now = ctx.clock.now().toISOString();
  const auditOpen = audit.status !== "signed_off";
  const canPing = auditOpen && can(user, "item:ping");
  // Each bulk step: the findings it is due for now, 0 when not allowed.
  const bulkCounts = Object.fromEntries(
    BULK_CHASE_ACTIONS.map((action) => {
      const step = chaseStepOf(action);
      return [action, auditOpen && can(user, step.permission) ? summary.bulkDue[action] : 0];
    }),
  ) as Record<BulkChaseAction, number>;
  const canBulk = BULK_CHASE_ACTIONS.some((action) => auditOpen && can(user, chaseStepOf(action).permission));
  const filtered = hasFilters(filters);
  const hrefFor = (next: FindingsParams) => findingsPath(auditId, findingsSearch(next));
  const hrefForPage = (n: number) => hrefFor({ ...filters, page: n });
  const order = sortOf(filters);
  const sortLinks = Object.fromEntries(
    PEOPLE_SORTS.map((sort) => {
      const next = sortedBy(filters, sort);
      return [sort, { href: hrefFor(next), dir: sortOf(next).dir }];
    }),
  ) as Record<PeopleSort, SortLink>;

  return (
    <>
      <PageHeader
        eyebrow={<AuditEyebrow audit={audit} />}
        title="Findings"
        description="One row per person with findings. Open a person to see the evidence and to ping, escalate or resolve."
        actions={
          canBulk &&
          summary.people > 0 && (
            <>
              {canPing && audit.issueUrl && <CheckRepliesButton auditId={auditId} />}
              <BulkActions
                auditId={auditId}
                counts={bulkCounts}
                filteredPeople={filtered ? page.total : null}
                hasIssue={audit.issueUrl !== null}
                mayExport={auditOpen && can(user, "audit:export")}
              />
            </>
          )
        }
      />

      <FilterBar params={filters} facets={page.facets} />
      <ActiveFilters params={filters} hrefFor={hrefFor} />

      {page.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No one matches these filters"
            action={
              <Link
                href={hrefFor(withoutFilters(filters))}
                className={buttonClasses({ variant: "secondary" })}
              >
                Clear filters
              </Link>
            }
          >
            Try another status, finding or manager, or search for part of a name, an @handle or a PagerDuty
            ID.
          </EmptyState>
        ) : summary.latestRun === null ? (
          <EmptyState title="Not run yet">
            This audit has not been run. Run it from the{" "}
            <Link href="/" className="font-medium text-indigo-700 hover:underline">
              overview
            </Link>{" "}
            to compare PagerDuty with the roster.
          </EmptyState>
        ) : (
          <EmptyState title="No findings — roster and PagerDuty agree">
            The last run found no one to chase. Run the audit again after changes to the roster or PagerDuty.
          </EmptyState>
        )
      ) : (
        <>
          <FindingsTable
            caption={`People with findings in ${audit.name}${filtered ? " (filtered)" : ""}`}
            rows={page.rows.map((row) => toFindingsTableRow(row, personPath(auditId, row.personKey)))}
            now={now}
            sort={{ ...order, links: sortLinks }}
          />
          <Pagination
            page={page.page}
            pageSize={page.pageSize}
            total={page.total}
            noun={page.total === 1 ? "person" : "people"}
            hrefForPage={hrefForPage}
          />
        </>
      )}
    </>
  );
}
