import type { TeamView } from "@/lib/service/your-work";
import { CodeBadge } from "./code-badge";
import { NEXT_ACTION_LABELS } from "./findings-table-rows";
import { StatusBadge } from "./status-badge";
import { DueIn } from "./time";
import { Badge } from "./ui/badge";

/**
 * A manager's reports with findings, as cards (no sideways scrolling on a phone): overdue first, each with
 * its findings, where it is in the chase, and what the manager may do about it (what `can` allows them).
 */
export function TeamFindings({
  team,
  now,
  personHref,
}: {
  team: TeamView;
  now: string;
  personHref: (personKey: string) => string;
}) {
  const open = team.rows.length - team.addressed;
  return (
    <section aria-labelledby="team-heading" className="space-y-4">
      <h2 id="team-heading" className="sr-only">
        Your reports
      </h2>
      <p className="text-sm text-slate-700">
        {open === 0
          ? `None of your ${team.reports} reports has anything left to fix.`
          : `${open} of your ${team.reports} reports ${open === 1 ? "has" : "have"} something to fix`}
        {team.overdue > 0 && (
          <>
            {"; "}
            <span className="font-semibold text-rose-700">{team.overdue} overdue</span>
          </>
        )}
        {open > 0 && "."}
      </p>
      <ul className="grid gap-3 md:grid-cols-2">
        {team.rows.map((row) => {
          const headingId = `report-${row.personKey}`;
          return (
            <li key={row.personKey}>
              <article
                aria-labelledby={headingId}
                className="h-full rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200"
              >
                <header className="flex flex-wrap items-start justify-between gap-2">
                  <h3 id={headingId} className="text-sm font-semibold">
                    <a href={personHref(row.personKey)} className="text-indigo-700 hover:underline">
                      {row.name}
                    </a>
                  </h3>
                  <span className="flex items-center gap-1.5">
                    {row.overdue && <Badge tone="danger">Overdue</Badge>}
                    {row.status ? (
                      <StatusBadge status={row.status} />
                    ) : (
                      <Badge tone="success">Addressed</Badge>
                    )}
                  </span>
                </header>
                <ul aria-label="Findings" className="mt-2 flex flex-wrap gap-1">
                  {row.codes.map((code) => (
                    <li key={code}>
                      <CodeBadge code={code} />
                    </li>
                  ))}
                </ul>
                {row.status !== null && row.nextAction && (
                  <p className="mt-2 text-xs text-slate-600">
                    Next: {NEXT_ACTION_LABELS[row.nextAction]}{" "}
                    {row.dueAt ? <DueIn dueAt={row.dueAt} now={now} /> : "now"}
                  </p>
                )}
                {row.status !== null && (
                  <p className="mt-2 text-xs text-slate-700">
                    {row.mayDo.length > 0 ? (
                      <>
                        <span className="font-medium">You can: </span>
                        {row.mayDo.join(" · ")} (on{" "}
                        <a
                          href={personHref(row.personKey)}
                          className="text-indigo-700 underline hover:decoration-2"
                        >
                          their page
                        </a>
                        )
                      </>
                    ) : (
                      "Support Operations act on it; you can follow it here."
                    )}
                  </p>
                )}
              </article>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
