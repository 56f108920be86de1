/**
 * What the pages that speak to one person show: their own findings with what to do, and a manager's
 * reports' findings with what is overdue and what the manager may do about it. Pure: the pages read the
 * audit, the roster and the session, and pass them in.
 */
import { CODE_LABELS } from "@/lib/audit/labels";
import type { FindingCode, Severity } from "@/lib/audit/types";
import { can, reportsOf, type SessionUser } from "@/lib/auth/roles";
import { personKeyOf } from "@/lib/roster/person-key";
import type { RosterPerson } from "@/lib/roster/schema";
import { CHASE_STEPS, type ChaseAction } from "@/lib/workflow/chase";
import { colleagueTaskOf, suggestedRosterLineOf } from "@/lib/workflow/owners";
import type { ItemStatus } from "@/lib/workflow/types";
import type { PersonItem, PersonRow } from "./findings";
import { permissionTargetFor } from "./targets";

const ADDRESSED: readonly ItemStatus[] = ["fixed", "intentional", "waived"];

/** One of a person's findings, said to them. */
export interface YourFinding {
  id: string;
  code: FindingCode;
  severity: Severity;
  title: string;
  task: string;
  copy: string | null;
  status: ItemStatus;
  nextAction: ChaseAction | null;
  dueAt: string | null;
  zone: string | null;
}

/**
 * A person's findings that are theirs to fix and not yet addressed, each with what to do (`colleagueTaskOf`,
 * with rotation names from `rotationNames`, id → name) and the roster line to copy; and how many of theirs
 * are addressed. Findings the schedule's owner fixes are left out: there is nothing for the person to do.
 */
export function yourFindingsOf(
  items: readonly PersonItem[],
  rotationNames: ReadonlyMap<string, string>,
): { open: YourFinding[]; addressed: number } {
  const open: YourFinding[] = [];
  let addressed = 0;
  for (const item of items) {
    const rotationName = item.rotation === null ? null : (rotationNames.get(item.rotation) ?? null);
    const task = colleagueTaskOf({ ...item, rotationName });
    if (task === null) continue;
    if (ADDRESSED.includes(item.status)) {
      addressed += 1;
      continue;
    }
    const where = item.scheduleName ?? item.scheduleId ?? rotationName ?? item.rotation;
    open.push({
      id: item.id,
      code: item.code,
      severity: item.severity,
      title: where ? `${CODE_LABELS[item.code]} (${where})` : CODE_LABELS[item.code],
      task,
      copy: suggestedRosterLineOf(item.evidence),
      status: item.status,
      nextAction: item.nextAction,
      dueAt: item.dueAt,
      zone: item.personTimezone ?? null,
    });
  }
  return { open, addressed };
}

/** A report's row on a manager's page, with what the manager may do about it now. */
export interface TeamRow extends PersonRow {
  /** Labels of what `can` lets the manager do now: the next chase step, marking intentional or waiving. */
  mayDo: string[];
}

/** A manager's team in an audit: their reports with findings, overdue first, and how many reports they have. */
export interface TeamView {
  rows: TeamRow[];
  reports: number;
  overdue: number;
  /** Reports whose findings are all addressed. */
  addressed: number;
}

/**
 * `user`'s direct and indirect reports (`reportsOf`) among the audit's `rows`: those with something
 * unaddressed first (overdue first, then by due time), then those whose findings are all addressed. Each
 * row says what the manager may do (`can`, with the report as the target, as the API checks it); an audit
 * that is signed off allows nothing.
 */
export function teamViewOf(
  user: SessionUser,
  rows: readonly PersonRow[],
  roster: readonly RosterPerson[],
  auditOpen: boolean,
): TeamView {
  const reports = new Set(reportsOf(user.personKey, roster).map(personKeyOf));
  const team = rows
    .filter((row) => reports.has(row.personKey))
    .map((row): TeamRow => ({ ...row, mayDo: auditOpen ? mayDoOf(user, row, roster) : [] }))
    .sort(
      (a, b) =>
        Number(a.status === null) - Number(b.status === null) ||
        Number(b.overdue) - Number(a.overdue) ||
        (a.dueAt ?? "\uffff").localeCompare(b.dueAt ?? "\uffff") ||
        a.name.localeCompare(b.name),
    );
  return {
    rows: team,
    reports: reports.size,
    overdue: team.filter((row) => row.overdue).length,
    addressed: team.filter((row) => row.status === null).length,
  };
}

function mayDoOf(user: SessionUser, row: PersonRow, roster: readonly RosterPerson[]): string[] {
  if (row.status === null) return [];
  const target = permissionTargetFor(row.personKey, roster);
  const step = CHASE_STEPS.find((s) => s.action === row.nextAction);
  return [
    ...(step && row.owner === null && can(user, step.permission, target) ? [step.label] : []),
    ...(can(user, "item:resolve", target) ? ["Mark intentional or waive"] : []),
  ];
}
