import type { Metadata } from "next";
import { ActivityTimeline } from "@/components/activity-timeline";
import { PageHeader } from "@/components/page-header";
import { Pagination } from "@/components/pagination";
import { AuditEyebrow } from "@/components/status-badge";
import { Card } from "@/components/ui/card";
import { getAppContext } from "@/lib/service/app-context";
import { getAuditActivity } from "@/lib/service/activity";
import { orNotFound, requireAudit, requireSessionUser } from "../../../_lib/data";
import { activityPath, personPath } from "../../../_lib/paths";

export const metadata: Metadata = { title: "Activity" };

const PAGE_SIZE = 50;

/** `?page=N`: a whole number from 1; anything else is the first page. */
function pageOf(raw: string | string[] | undefined): number {
  const page = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** Everything that happened to the audit's findings, newest first, a page at a time. */
export default async function ActivityPage({
  params,
  searchParams,
}: {
  params: Promise<{ auditId: string }>;
  searchParams: Promise<{ page?: string | string[] }>;
}) {
  const auditId = decodeURIComponent((await params).auditId);
  const requested = pageOf((await searchParams).page);
  await requireSessionUser(activityPath(auditId, requested > 1 ? `?page=${requested}` : ""));
  const audit = await requireAudit(auditId);
  const activity = await orNotFound(
    getAuditActivity(await getAppContext(), auditId, { page: requested, pageSize: PAGE_SIZE }),
  );

  return (
    <>
      <PageHeader
        eyebrow={<AuditEyebrow audit={audit} />}
        title="Activity"
        description="Pings, escalations, Slack DMs, replies, resolutions, reopenings and what re-runs found, newest first."
      />
      <Card>
        <ActivityTimeline
          entries={activity.entries}
          personHref={(personKey) => personPath(auditId, personKey)}
          empty="Nothing yet: nobody has been pinged and no finding was resolved."
        />
        <Pagination
          page={activity.page}
          pageSize={activity.pageSize}
          total={activity.total}
          noun="events"
          hrefForPage={(page) => activityPath(auditId, page > 1 ? `?page=${page}` : "")}
        />
      </Card>
    </>
  );
}
