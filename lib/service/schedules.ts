import type { AuditReport, RotationCoverage } from "@/lib/audit/types";
import type { Run } from "@/lib/db/queries";
import { getAuditById, getRunReport, listRuns } from "@/lib/db/queries";
import { isSameEmail } from "@/lib/roster/person-key";
import type { AppContext } from "./context";

type Expected = RotationCoverage["expected"][number];
type Schedule = RotationCoverage["schedules"][number];
type Member = Schedule["members"][number];

/** A rotation's coverage with who matches whom worked out, so the page only shows it. */
export interface MatchedRotationCoverage extends RotationCoverage {
  /** Each expected person, with the schedules read that have them as a member (none when none was read). */
  expected: (Expected & { onSchedules: { id: string; name: string | null }[] })[];
  /** Each member, with whether the roster expects them in this rotation. */
  schedules: (Omit<Schedule, "members"> & { members: (Member & { expected: boolean })[] })[];
}

export interface ScheduleCoverage {
  /** The run the coverage comes from: the newest that stored a report; null before the first. */
  run: Run | null;
  coverage: MatchedRotationCoverage[];
  /** What that run could not read (its schedules show as failed). */
  errors: AuditReport["errors"];
}

/**
 * Who is on each configured schedule and who should be, as the newest complete or incomplete run saw it:
 * while a re-run is in progress, or after one failed, the page still shows what was last read.
 */
export async function getScheduleCoverage(ctx: AppContext, auditId: string): Promise<ScheduleCoverage> {
  await getAuditById(ctx.db, auditId);
  const run = (await listRuns(ctx.db, auditId)).find(
    (r) => r.status === "complete" || r.status === "incomplete",
  );
  if (!run) return { run: null, coverage: [], errors: [] };
  const report = await getRunReport(ctx.db, run.id);
  return { run, coverage: (report?.coverage ?? []).map(matchCoverage), errors: report?.errors ?? [] };
}

/** The checker's join of an expected person and a schedule member: the PagerDuty ID, else the person key. */
function isSamePerson(expected: Expected, member: Member): boolean {
  if (expected.pagerdutyId !== null && expected.pagerdutyId === member.pagerdutyId) return true;
  return isSameEmail(expected.email, member.email);
}

/** Who of the expected is on which schedule that was read, and which members are expected. */
export function matchCoverage(coverage: RotationCoverage): MatchedRotationCoverage {
  const read = coverage.schedules.filter((s) => s.status === "read");
  return {
    ...coverage,
    expected: coverage.expected.map((person) => ({
      ...person,
      onSchedules: read
        .filter((s) => s.members.some((m) => isSamePerson(person, m)))
        .map((s) => ({ id: s.id, name: s.name })),
    })),
    schedules: coverage.schedules.map((schedule) => ({
      ...schedule,
      members: schedule.members.map((member) => ({
        ...member,
        expected: coverage.expected.some((e) => isSamePerson(e, member)),
      })),
    })),
  };
}
