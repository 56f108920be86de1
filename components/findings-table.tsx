import Link from "next/link";
import type { PersonRow } from "@/lib/service/findings";
import { CHASE_LABELS } from "@/lib/workflow/chase";
import { CodeBadge } from "./code-badge";
import { StatusBadge } from "./status-badge";
import { DateTime, DueIn } from "./time";
import { Badge } from "./ui/badge";
import { Table, Td, Th } from "./ui/table";

export const NEXT_ACTION_LABELS: Record<NonNullable<PersonRow["nextAction"]>, string> = CHASE_LABELS;

/**
 * One row per person: who, where, what was found, where they are in the process and what comes next; for
 * someone nobody is chased about (not in the roster, a deleted user), who owns the fix instead.
 */
export function FindingsTable({
  caption,
  rows,
  now,
  personHref,
}: {
  caption: string;
  rows: PersonRow[];
  /** The app's clock, for "in 41 h" / "overdue 8 h". */
  now: string;
  personHref: (personKey: string) => string;
}) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Person</Th>
          <Th>Region</Th>
          <Th>Manager</Th>
          <Th>Findings</Th>
          <Th>Status</Th>
          <Th>Last ping</Th>
          <Th>Next action</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.personKey} className={row.overdue ? "bg-rose-50/40" : undefined}>
            <Td>
              <Link
                href={personHref(row.personKey)}
                // A page of rows would otherwise prefetch every person's page from the server.
                prefetch={false}
                className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                {row.name}
              </Link>
              <div className="mt-0.5 text-xs text-slate-500">
                {row.gitlab ? `@${row.gitlab}` : (row.email ?? row.personKey)}
              </div>
              {!row.inRoster && (
                <div className="mt-1">
                  <Badge tone="warning">Not in roster</Badge>
                </div>
              )}
            </Td>
            <Td className="whitespace-nowrap">{row.region ?? <Missing />}</Td>
            <Td>{row.manager ?? <Missing />}</Td>
            <Td>
              <ul
                className="flex max-w-xs flex-wrap gap-1"
                aria-label={`${row.items} finding${row.items === 1 ? "" : "s"}`}
              >
                {row.codes.map((code) => (
                  <li key={code}>
                    <CodeBadge code={code} />
                  </li>
                ))}
              </ul>
            </Td>
            <Td>
              {row.status === null ? (
                <Badge tone="success">Addressed</Badge>
              ) : row.owner !== null ? (
                // Nobody is chased: whoever owns the schedule fixes it.
                <span className="text-sm">
                  <span className="block text-xs text-slate-500">Owner</span>
                  {row.owner}
                </span>
              ) : (
                <StatusBadge status={row.status} />
              )}
            </Td>
            <Td className="whitespace-nowrap text-xs">
              {row.lastPingAt ? (
                <DateTime iso={row.lastPingAt} />
              ) : (
                <span className="text-slate-500">{row.owner !== null ? "Not chased" : "Never"}</span>
              )}
            </Td>
            <Td className="whitespace-nowrap">
              {row.status !== null && row.owner !== null ? (
                <>
                  <span className="font-medium text-slate-900">Fix in PagerDuty</span>
                  <div className="text-xs text-slate-600">the next run confirms</div>
                </>
              ) : row.nextAction ? (
                <>
                  <span className="font-medium text-slate-900">{NEXT_ACTION_LABELS[row.nextAction]}</span>
                  <div className="text-xs">
                    {row.dueAt ? (
                      <DueIn dueAt={row.dueAt} now={now} />
                    ) : (
                      <span className="text-slate-600">now</span>
                    )}
                  </div>
                </>
              ) : (
                <span className="text-slate-500">Nothing due</span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function Missing() {
  return (
    <span className="text-slate-400">
      <span aria-hidden>—</span>
      <span className="sr-only">unknown</span>
    </span>
  );
}
