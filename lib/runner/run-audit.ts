import { createHash } from "node:crypto";
import { checkAudit } from "@/lib/audit/check";
import type { AuditReport, PagerDutySnapshot, ReportError } from "@/lib/audit/types";
import type { AuditConfig } from "@/lib/config/schema";
import type { PagerDutyClient, SnapshotProgress } from "@/lib/pagerduty/snapshot";
import { fetchPagerDutySnapshot } from "@/lib/pagerduty/snapshot";
import { rosterPagerDutyRefs, type RosterPagerDutyRef } from "@/lib/roster/pagerduty-refs";
import type { Roster } from "@/lib/roster/schema";

export interface AuditRun {
  report: AuditReport;
  snapshot: PagerDutySnapshot;
  /**
   * sha256 of the inputs, so a stored run can say exactly what it saw. Computed when asked: hashing the
   * whole snapshot costs the CLI, which stores nothing, time after its last answer.
   */
  hashInputs(): RunInputs;
}

export interface RunInputs {
  rosterSha256: string;
  configSha256: string;
  snapshotSha256: string;
}

export interface RunAuditOptions {
  config: AuditConfig;
  /**
   * The roster, or its read still under way: PagerDuty's user list and schedules need no roster, so they
   * are read meanwhile. A roster that fails to load stops the reads, and its error is the one thrown.
   */
  roster: Roster | Promise<Roster>;
  /**
   * Who the roster names in PagerDuty, when told before the roster is validated (`pagerDutyRefsOf` of its
   * entries as parsed): the lookups of its users need not wait for the checks. Those of a roster that
   * validates, whose own they are; a roster that fails still fails the audit, with its error. Default:
   * taken from the roster once read.
   */
  rosterRefs?: Promise<readonly RosterPagerDutyRef[]>;
  client: PagerDutyClient;
  /** The audit's moment; the caller owns the clock. */
  now: Date;
  onProgress?: (progress: SnapshotProgress) => void;
}

/**
 * Reads PagerDuty for the configured schedules and the roster's users, then runs the checker. The one
 * sequence shared by the CLI and the server, so both always produce the same report for the same data.
 */
export async function runAudit({
  config,
  roster,
  rosterRefs,
  client,
  now,
  onProgress,
}: RunAuditOptions): Promise<AuditRun> {
  const scheduleIds = [...new Set(config.rotations.flatMap((r) => r.schedules))];
  const rosterRead = Promise.resolve(roster);
  const refs = rosterRefs ?? rosterRead.then(rosterPagerDutyRefs);
  const stop = new AbortController();
  const reading = fetchPagerDutySnapshot(client, {
    scheduleIds,
    rosterUserIds: refs.then((people) => [
      ...new Set(people.flatMap((p) => (p.pagerdutyId === null ? [] : [p.pagerdutyId]))),
    ]),
    rosterPeople: refs,
    inFlight: config.pagerduty.concurrency,
    onProgress,
    signal: stop.signal,
  });
  // Awaited below, after the roster: its failure must not go unhandled meanwhile.
  reading.catch(() => undefined);
  let loaded: Roster;
  try {
    loaded = await rosterRead;
  } catch (error) {
    stop.abort(error);
    await reading.catch(() => undefined);
    throw error;
  }
  const snapshot = await reading;
  const report = checkAudit({ roster: loaded, snapshot, config, now });
  return {
    report,
    snapshot,
    hashInputs: () => ({
      rosterSha256: loaded.sha256,
      configSha256: sha256(JSON.stringify(config)),
      snapshotSha256: sha256(JSON.stringify(snapshot)),
    }),
  };
}

/**
 * One sentence on an incomplete run's read errors for a status line (the CLI's stderr, a run's stored
 * error): how many reads failed and the most frequent cause, so a cause shared by many reads (a token
 * revoked mid-run) shows up even where the report's own error list does not. Ties go to the error listed
 * first. Empty for a complete run.
 */
export function describeReadErrors(errors: readonly ReportError[]): string {
  if (errors.length === 0) return "";
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error.message, (counts.get(error.message) ?? 0) + 1);
  let [message, count] = ["", 0];
  for (const [m, c] of counts) if (c > count) [message, count] = [m, c];
  const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
  const reads = `${errors.length} PagerDuty read${errors.length === 1 ? "" : "s"} failed`;
  return count === errors.length ? `${reads}: ${sentence}` : `${reads}; ${count} of them: ${sentence}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
