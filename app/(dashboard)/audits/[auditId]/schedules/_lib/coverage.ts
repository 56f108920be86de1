import "server-only";
import type { AuditReport, RotationCoverage } from "@/lib/audit/types";
import type { Run } from "@/lib/db/queries";
import { getRunReport, listRuns } from "@/lib/db/queries";
import { getAppContext } from "@/lib/service/app-context";

export interface ScheduleCoverage {
  /** The newest run that stored a report (complete or incomplete); null before the first. */
  run: Run | null;
  coverage: RotationCoverage[];
  errors: AuditReport["errors"];
}

/**
 * Who is on each configured schedule and who should be, as the newest finished run saw it.
 *
 * TODO(api): this is the read behind `GET /api/audits/{id}/schedules`; move it to a `lib/service`
 * function shared with that route once it exists, so no page reads the database directly.
 */
export async function loadScheduleCoverage(auditId: string): Promise<ScheduleCoverage> {
  const ctx = await getAppContext();
  const runs = await listRuns(ctx.db, auditId);
  const run = runs.find((r) => r.status === "complete" || r.status === "incomplete") ?? null;
  const report = run ? await getRunReport(ctx.db, run.id) : null;
  return { run, coverage: report?.coverage ?? [], errors: report?.errors ?? [] };
}
