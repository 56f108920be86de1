import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import {
  CoverageJumpList,
  CoverageShowToggle,
  RotationCoverageSection,
} from "@/components/rotation-coverage";
import { AuditEyebrow, RunStatusBadge } from "@/components/status-badge";
import { DateTime } from "@/components/time";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { coverageShowOf, coverageViewOf, PROBLEMS_ONLY_ABOVE_PEOPLE } from "@/lib/service/coverage-view";
import { getScheduleCoverage } from "@/lib/service/schedules";
import { getAppContext } from "@/lib/service/app-context";
import { requireAudit, requireSessionUser } from "../../../_lib/data";
import { personPath, schedulesPath } from "../../../_lib/paths";
import { parseSchedulesParams, schedulesSearch, type SearchParams } from "./_lib/params";

export const metadata: Metadata = { title: "Schedules" };

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export default async function SchedulesPage({
  params,
  searchParams,
}: {
  params: Promise<{ auditId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const auditId = decodeURIComponent((await params).auditId);
  const asked = parseSchedulesParams(await searchParams);
  await requireSessionUser(schedulesPath(auditId, schedulesSearch(asked)));
  const audit = await requireAudit(auditId);
  const { run, coverage, errors, rosterPeople, withFindings } = await getScheduleCoverage(
    await getAppContext(),
    auditId,
  );
  const view = coverageViewOf(coverage);
  const show = coverageShowOf(asked.show, rosterPeople);
  const hrefFor = (value: typeof show) => schedulesPath(auditId, schedulesSearch({ show: value }));
  const intro = "Each rotation: who the roster puts in it and who is on its schedules, problems first.";

  return (
    <>
      <PageHeader
        eyebrow={<AuditEyebrow audit={audit} />}
        title="Schedules"
        description={
          run ? (
            <span className="inline-flex flex-wrap items-center gap-2">
              {intro} As of the run of <DateTime iso={run.finishedAt ?? run.startedAt} />
              <RunStatusBadge status={run.status} />
            </span>
          ) : (
            intro
          )
        }
      />

      {run === null ? (
        <EmptyState
          title="No run yet"
          action={
            <Link href="/" className={buttonClasses({ variant: "secondary" })}>
              Go to the overview
            </Link>
          }
        >
          Schedule coverage comes from a run of the audit: once it has run, this page shows who is on each
          rotation&apos;s schedules and who is missing. Run it from the overview.
        </EmptyState>
      ) : view.rotations.length === 0 ? (
        <EmptyState title="No rotations configured">
          The run&apos;s audit config lists no rotations, so there are no schedules to compare. Add them under
          <code className="mx-1 font-mono text-xs">rotations</code>in the audit config, then run the audit
          again.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {errors.length > 0 && (
            <ErrorState
              title="Some of PagerDuty could not be read in this run"
              message={`${errors.length} read${errors.length === 1 ? "" : "s"} failed: ${errors
                .map((e) => e.message)
                .slice(0, 3)
                .join(" ")}${errors.length > 3 ? " …" : ""} Findings that depend on them were withheld.`}
            />
          )}

          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-700">
              {plural(view.people, "person", "people")} in {plural(view.rotations.length, "rotation")}
              {view.peopleWithProblems > 0 && <> · {view.peopleWithProblems} with a problem</>}
              {view.brokenSchedules > 0 && (
                <> · {plural(view.brokenSchedules, "schedule")} missing or unreadable</>
              )}
              {asked.show === undefined && show === "problems" && (
                <span className="text-slate-500">
                  {" "}
                  (problems only: the roster holds more than {PROBLEMS_ONLY_ABOVE_PEOPLE} people)
                </span>
              )}
            </p>
            <CoverageShowToggle show={show} hrefFor={hrefFor} />
          </div>

          {view.peopleWithProblems === 0 && view.brokenSchedules === 0 && (
            <div
              role="status"
              className="rounded-lg bg-emerald-50 p-4 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200"
            >
              <p className="font-semibold">All {plural(view.people, "person", "people")} covered</p>
              <p className="mt-0.5">
                Everyone the roster puts in a rotation is on its schedules, and no one else is.
              </p>
            </div>
          )}

          <CoverageJumpList rotations={view.rotations} />

          <p className="text-sm text-slate-600">
            <strong className="font-medium text-slate-800">Missing</strong>: the roster puts the person in the
            rotation, but they are on none of its schedules.{" "}
            <strong className="font-medium text-slate-800">Not expected here</strong>: on a schedule of the
            rotation, but the roster does not put them in it.{" "}
            <strong className="font-medium text-slate-800">Exempt</strong>: an exempt title, such as the VP of
            Support: not audited, so no problem wherever they are.{" "}
            <strong className="font-medium text-slate-800">Not in roster</strong> and{" "}
            <strong className="font-medium text-slate-800">Deleted user</strong>: PagerDuty accounts that
            should leave the schedule.
          </p>

          {view.rotations.map((rotation) => (
            <RotationCoverageSection
              key={rotation.rotation}
              rotation={rotation}
              show={show}
              open={show === "all" || rotation.problems > 0}
              personHref={(key) => (withFindings.has(key) ? personPath(auditId, key) : null)}
              showAllHref={hrefFor("all")}
            />
          ))}
        </div>
      )}
    </>
  );
}
