import Link from "next/link";
import { ActivityTimeline } from "@/components/activity-timeline";
import { Card } from "@/components/ui/card";
import type { ActivityPage } from "@/lib/service/activity";
import { activityPath, personPath } from "../_lib/paths";

/** The newest of the audit's activity, with a link to all of it. */
export function OverviewActivity({ auditId, activity }: { auditId: string; activity: ActivityPage }) {
  return (
    <Card
      className="mt-6"
      title="Recent activity"
      actions={
        activity.total > 0 && (
          <Link href={activityPath(auditId)} className="text-sm font-medium text-indigo-700 hover:underline">
            All activity ({activity.total})
          </Link>
        )
      }
    >
      <ActivityTimeline
        entries={activity.entries}
        personHref={(personKey) => personPath(auditId, personKey)}
        empty="Nothing yet: nobody has been pinged and no finding was resolved."
      />
    </Card>
  );
}
