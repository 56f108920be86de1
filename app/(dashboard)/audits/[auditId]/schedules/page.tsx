import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { RotationCoverageView } from "@/components/rotation-coverage";
import { AuditEyebrow, RunStatusBadge } from "@/components/status-badge";
import { DateTime } from "@/components/time";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { requireAudit, requireSessionUser } from "../../../_lib/data";
import { schedulesPath } from "../../../_lib/paths";
import { getScheduleCoverage } from "@/lib/service/schedules";
import { getAppContext } from "@/lib/service/app-context";

export const metadata: Metadata = { title: "Schedules" };

export default async function SchedulesPage({ params }: { params: Promise<{ auditId: string }> }) {
  const auditId = decodeURIComponent((await params).auditId);
  await requireSessionUser(schedulesPath(auditId));
  const audit = await requireAudit(auditId);
  const { run, coverage, errors } = await getScheduleCoverage(await getAppContext(), auditId);

  return (
    <>
      <PageHeader
        eyebrow={<AuditEyebrow audit={audit} />}
        title="Schedules"
        description={
          run ? (
            <span className="inline-flex flex-wrap items-center gap-2">
              Each rotation&apos;s schedules: who is on them and who the roster says should be. As of the run
              of <DateTime iso={run.finishedAt ?? run.startedAt} />
              <RunStatusBadge status={run.status} />
            </span>
          ) : (
            "Each rotation's schedules: who is on them and who the roster says should be."
          )
        }
      />

      {run === null ? (
        <EmptyState title="No run yet">
          Schedule coverage comes from a run of the audit. Run it from the{" "}
          <Link href="/" className="font-medium text-indigo-700 hover:underline">
            overview
          </Link>
          .
        </EmptyState>
      ) : (
        <div className="space-y-6">
          <p className="text-sm text-slate-600">
            <strong className="font-medium text-slate-800">Missing</strong>: the roster puts the person in the
            rotation, but they are on none of its schedules.{" "}
            <strong className="font-medium text-slate-800">Not expected here</strong>: on a schedule of the
            rotation, but the roster does not put them in it (people with exempt titles, such as the VP of
            Support, are not audited and raise no finding).{" "}
            <strong className="font-medium text-slate-800">Not in roster</strong> and{" "}
            <strong className="font-medium text-slate-800">Deleted user</strong>: PagerDuty accounts that
            should leave the schedule.
          </p>
          {errors.length > 0 && (
            <ErrorState
              title="Some of PagerDuty could not be read in this run"
              message={`${errors.length} read${errors.length === 1 ? "" : "s"} failed: ${errors
                .map((e) => e.message)
                .slice(0, 3)
                .join(" ")}${errors.length > 3 ? " …" : ""} Findings that depend on them were withheld.`}
            />
          )}
          {coverage.length === 0 ? (
            <EmptyState title="No rotations configured">
              The audit config lists no rotations, so there are no schedules to compare.
            </EmptyState>
          ) : (
            coverage.map((rotation) => <RotationCoverageView key={rotation.rotation} coverage={rotation} />)
          )}
        </div>
      )}
    </>
  );
}
