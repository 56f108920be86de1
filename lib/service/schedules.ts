import type { AuditReport, RotationCoverage } from "@/lib/audit/types";
import type { Run } from "@/lib/db/queries";
import { getAuditById, getRunReport, listPersonKeysWithItems, listRuns } from "@/lib/db/queries";
import type { AppContext } from "./context";

export interface ScheduleCoverage {
  /** The run the coverage comes from: the newest that stored a report; null before the first. */
  run: Run | null;
  /** As the run's report stored it; `coverageViewOf` (./coverage-view) turns it into the page's view. */
  coverage: RotationCoverage[];
  /** What that run could not read (its schedules show as failed). */
  errors: AuditReport["errors"];
  /** The org's size: people in that run's roster, exempt ones included; 0 before the first run. */
  rosterPeople: number;
  /** Person keys with findings in the audit: the people who have a person page to link to. */
  withFindings: ReadonlySet<string>;
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
  if (!run) return { run: null, coverage: [], errors: [], rosterPeople: 0, withFindings: new Set() };
  const [report, withFindings] = await Promise.all([
    getRunReport(ctx.db, run.id),
    listPersonKeysWithItems(ctx.db, auditId),
  ]);
  return {
    withFindings,
    run,
    coverage: report?.coverage ?? [],
    errors: report?.errors ?? [],
    rosterPeople: report?.summary.rosterPeople ?? 0,
  };
}
