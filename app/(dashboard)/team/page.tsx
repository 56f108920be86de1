import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { TeamFindings } from "@/components/team-findings";
import { EmptyState } from "@/components/ui/states";
import { getRosterPeople } from "@/lib/auth/session";
import { getAppContext } from "@/lib/service/app-context";
import { listPeopleRows } from "@/lib/service/findings";
import { teamViewOf } from "@/lib/service/your-work";
import { loadAuditIndex, requireSessionUser } from "../_lib/data";
import { personPath, YOUR_FINDINGS_PATH, YOUR_TEAM_PATH } from "../_lib/paths";

export const metadata: Metadata = { title: "Your team" };

/**
 * The signed-in manager's reports in the current audit: who has findings, what is overdue (the workflow's
 * timers, as everywhere), and what the manager may do about each.
 */
export default async function YourTeamPage() {
  const user = await requireSessionUser(YOUR_TEAM_PATH);
  const [{ current }, ctx, roster] = await Promise.all([
    loadAuditIndex(),
    getAppContext(),
    getRosterPeople(),
  ]);
  const rows = current ? await listPeopleRows(ctx, current.id) : [];
  const team = teamViewOf(user, rows, roster, current !== null && current.status !== "signed_off");
  const own = rows.find((row) => row.personKey === user.personKey && row.status !== null);

  return (
    <>
      <PageHeader
        eyebrow={current?.name}
        title="Your team"
        description="What the PagerDuty audit found about the people who report to you, directly or through their managers."
      />
      {own && (
        <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-inset ring-amber-200">
          The audit found something about you too.{" "}
          <Link
            href={YOUR_FINDINGS_PATH}
            className="font-medium text-indigo-700 underline hover:decoration-2"
          >
            See your findings
          </Link>
        </p>
      )}
      {current === null ? (
        <EmptyState title="No audit is open">
          When Support Operations open one, your reports&apos; findings show here.
        </EmptyState>
      ) : team.rows.length === 0 ? (
        <EmptyState title="Nothing for your team to fix">
          {team.reports === 0
            ? "Nobody in the roster reports to you."
            : `${current.name} found nothing about your ${team.reports} reports.`}
        </EmptyState>
      ) : (
        <TeamFindings
          team={team}
          now={ctx.clock.now().toISOString()}
          personHref={(key) => personPath(current.id, key)}
        />
      )}
    </>
  );
}
