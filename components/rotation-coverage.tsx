import Link from "next/link";
import { SCHEDULE_KIND_LABELS } from "@/lib/audit/labels";
import type {
  CoveragePerson,
  CoverageProblem,
  CoverageSchedule,
  CoverageShow,
  RotationCoverageView,
} from "@/lib/service/coverage-view";
import { Badge, type BadgeTone } from "./ui/badge";
import { cn } from "./ui/cn";
import { ExternalLink } from "./ui/external-link";

/** The marks of a person's problems, in the words the page's legend explains. */
export const COVERAGE_PROBLEM_LABELS: Record<CoverageProblem, { label: string; tone: BadgeTone }> = {
  missing: { label: "Missing", tone: "danger" },
  no_pagerduty_id: { label: "No PagerDuty ID", tone: "danger" },
  deleted: { label: "Deleted user", tone: "danger" },
  not_in_roster: { label: "Not in roster", tone: "warning" },
  not_expected: { label: "Not expected here", tone: "warning" },
};

/** The element id of a rotation's section, for the jump list's anchors. */
export function rotationAnchor(rotation: string): string {
  return `rotation-${rotation}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A count of problems, or that there are none, for a summary line. */
function ProblemCount({ problems }: { problems: number }) {
  return problems > 0 ? (
    <Badge tone="danger">{plural(problems, "problem")}</Badge>
  ) : (
    <Badge tone="success">No problems</Badge>
  );
}

/** Links to each rotation's section, problems first as the sections are, each with its count of problems. */
export function CoverageJumpList({ rotations }: { rotations: RotationCoverageView[] }) {
  return (
    <nav aria-label="Rotations" className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Rotations</h2>
      <ul className="mt-2 flex flex-wrap gap-2">
        {rotations.map((rotation) => (
          <li key={rotation.rotation}>
            <a
              href={`#${rotationAnchor(rotation.rotation)}`}
              className="inline-flex items-center gap-2 rounded-md px-2 py-1 text-sm font-medium text-indigo-700 ring-1 ring-inset ring-slate-200 hover:bg-slate-50 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {rotation.name}
              <ProblemCount problems={rotation.problems} />
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** "Problems only" or "Everyone": plain links (`?show=…`), so the choice is linkable and needs no script. */
export function CoverageShowToggle({
  show,
  hrefFor,
}: {
  show: CoverageShow;
  hrefFor: (show: CoverageShow) => string;
}) {
  const options: { value: CoverageShow; label: string }[] = [
    { value: "problems", label: "Problems only" },
    { value: "all", label: "Everyone" },
  ];
  return (
    <nav
      aria-label="Who to show"
      className="inline-flex rounded-md shadow-sm ring-1 ring-inset ring-slate-300"
    >
      {options.map(({ value, label }, i) => (
        <Link
          key={value}
          href={hrefFor(value)}
          aria-current={value === show ? "true" : undefined}
          className={cn(
            "px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600",
            i === 0 ? "rounded-l-md" : "rounded-r-md",
            value === show ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50",
          )}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}

/**
 * One rotation: who the roster puts in it and who is on its schedules, as one list of people, problems
 * first. Collapsible (a native `<details>`); with `show="problems"` healthy people are left out and counted.
 */
export function RotationCoverageSection({
  rotation,
  show,
  open,
  personHref,
  showAllHref,
}: {
  rotation: RotationCoverageView;
  show: CoverageShow;
  /** Whether the section starts open. */
  open: boolean;
  /** The person page of a person key; null for someone without one (no findings in the audit). */
  personHref: (personKey: string) => string | null;
  /** This rotation with everyone shown. */
  showAllHref: string;
}) {
  const shown = show === "all" ? rotation.people : rotation.people.filter((p) => p.problems.length > 0);
  const hidden = rotation.people.length - shown.length;
  const anchor = rotationAnchor(rotation.rotation);

  return (
    <details
      id={anchor}
      open={open}
      className="group scroll-mt-4 rounded-lg bg-white shadow-sm ring-1 ring-slate-200"
    >
      <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1.5 rounded-lg p-4 focus-visible:outline-2 focus-visible:outline-indigo-600 sm:px-5 [&::-webkit-details-marker]:hidden">
        <svg
          aria-hidden
          viewBox="0 0 20 20"
          className="h-4 w-4 shrink-0 fill-slate-500 transition-transform group-open:rotate-90"
        >
          <path d="M7 4l6 6-6 6z" />
        </svg>
        <h2 className="text-base font-semibold text-slate-900">{rotation.name}</h2>
        <ProblemCount problems={rotation.problems} />
        <span className="text-xs text-slate-500">
          {plural(rotation.people.length, "person", "people")} ·{" "}
          {plural(rotation.schedules.length, "schedule")}
        </span>
      </summary>

      <div className="space-y-4 border-t border-slate-100 p-4 sm:px-5">
        <ScheduleList schedules={rotation.schedules} />

        {rotation.people.length === 0 ? (
          <p className="text-sm text-slate-500">
            The roster puts no one in this rotation, and no one is on its schedules.
          </p>
        ) : (
          <>
            {!rotation.anyRead && (
              <p className="text-sm text-slate-600">
                No schedule of this rotation could be read, so whether anyone is missing is unknown.
              </p>
            )}
            {shown.length > 0 && (
              <ul aria-label={`People of ${rotation.name}`} className="divide-y divide-slate-100">
                {shown.map((person) => (
                  <PersonRow
                    key={`${person.key}|${person.pagerdutyId ?? ""}`}
                    person={person}
                    personHref={personHref}
                  />
                ))}
              </ul>
            )}
            {hidden > 0 && (
              <p className="text-sm text-slate-600">
                {shown.length === 0 ? (
                  <>All {plural(hidden, "person", "people")} covered.</>
                ) : (
                  <>{plural(hidden, "more person", "more people")} covered, not shown.</>
                )}{" "}
                <Link
                  href={`${showAllHref}#${anchor}`}
                  className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                  Show everyone<span className="sr-only"> in {rotation.name}</span>
                </Link>
              </p>
            )}
          </>
        )}
      </div>
    </details>
  );
}

function ScheduleList({ schedules }: { schedules: CoverageSchedule[] }) {
  return (
    <ul aria-label="Schedules" className="space-y-1.5 text-sm">
      {schedules.map((schedule) => (
        <li key={schedule.id} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
          {schedule.status === "read" ? (
            <>
              {schedule.url ? (
                <ExternalLink href={schedule.url} className="break-words">
                  {schedule.name ?? schedule.id}
                </ExternalLink>
              ) : (
                <span className="font-medium text-slate-900">{schedule.name ?? schedule.id}</span>
              )}
              {schedule.kind && <Badge>{SCHEDULE_KIND_LABELS[schedule.kind]}</Badge>}
              <span className="text-xs text-slate-500">
                {plural(schedule.members, "person", "people")} on it
              </span>
            </>
          ) : (
            <span className="block w-full rounded-md bg-rose-50 px-3 py-2 text-rose-900 ring-1 ring-inset ring-rose-200">
              <span className="font-mono text-xs">{schedule.id}</span>{" "}
              <Badge tone="danger">{schedule.status === "missing" ? "Not found" : "Unreadable"}</Badge>{" "}
              {schedule.status === "missing"
                ? `This configured schedule exists in PagerDuty neither as a ${SCHEDULE_KIND_LABELS.v2} nor as a ${SCHEDULE_KIND_LABELS.v3} schedule. Fix the ID in the audit config, or create the schedule.`
                : "This schedule could not be read from PagerDuty, so findings that depend on it were withheld. Run the audit again."}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function PersonRow({
  person,
  personHref,
}: {
  person: CoveragePerson;
  personHref: (personKey: string) => string | null;
}) {
  const href = personHref(person.key);
  return (
    <li className="grid gap-1 py-3 sm:grid-cols-[minmax(0,5fr)_minmax(0,3fr)_minmax(0,5fr)] sm:gap-4">
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          {href === null ? (
            <span className="font-medium text-slate-900">{person.name}</span>
          ) : (
            <Link
              href={href}
              className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {person.name}
            </Link>
          )}
          {person.problems.map((problem) => (
            <Badge key={problem} tone={COVERAGE_PROBLEM_LABELS[problem].tone}>
              {COVERAGE_PROBLEM_LABELS[problem].label}
            </Badge>
          ))}
          {person.exempt && <Badge>Exempt</Badge>}
        </div>
        {person.email && <div className="break-all text-xs text-slate-500">{person.email}</div>}
      </div>
      <div className="min-w-0 text-sm">
        <span className="text-xs text-slate-500">PagerDuty </span>
        {person.pagerdutyId === null ? (
          <span className="text-slate-500">none</span>
        ) : person.pagerdutyUrl ? (
          <ExternalLink href={person.pagerdutyUrl} className="break-all font-mono text-xs">
            {person.pagerdutyId}
          </ExternalLink>
        ) : (
          <span className="break-all font-mono text-xs text-slate-700">{person.pagerdutyId}</span>
        )}
      </div>
      <div className="min-w-0 text-sm text-slate-700">
        {person.schedules.length > 0 ? (
          <>
            <span className="text-xs text-slate-500">On </span>
            {person.schedules.map((s) => s.name).join(", ")}
          </>
        ) : (
          <span className="text-slate-500">On no schedule read</span>
        )}
      </div>
    </li>
  );
}
