// The roster reader's thread (see `startRosterReader` in roster-thread.ts), compiled into its own small
// bundle beside the CLI's: it loads only what reading a roster on disk needs, not the CLI, the PagerDuty
// client or the config's schemas, so it is ready by the time the config names the roster.
import { constants, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { AppError } from "@/lib/errors";
import { loadRosterForConfig } from "@/lib/roster/load";
import { pagerDutyRefsOf, rosterPagerDutyRefs, type RosterPagerDutyRef } from "@/lib/roster/pagerduty-refs";
import type { RosterAnswer, RosterParsed, RosterTask } from "./roster-thread";

// The roster is wanted once PagerDuty's user list is in, and meanwhile the main thread reads that list
// (3,000 users for a 2,000-person roster) on the same cores: this thread yields to it. On Linux a thread
// has its own nice value; elsewhere `setPriority(0, …)` would lower the whole process, so it is left be.
if (process.platform === "linux") {
  try {
    setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not allowed here: the roster is read at the usual priority.
  }
}

parentPort?.once("message", (input: RosterTask) => {
  // A roster on disk needs no GitLab client: `loadConfiguredRoster` passes none for a path either. Who it
  // names in PagerDuty goes out as soon as it is parsed, so that PagerDuty is asked while it is checked.
  let told = false;
  const tell = (refs: RosterPagerDutyRef[]) => {
    told = true;
    parentPort?.postMessage({ refs } satisfies RosterParsed);
  };
  const onParsed = (people: readonly unknown[]) => tell(pagerDutyRefsOf(people));
  loadRosterForConfig(input, {}, { onParsed }).then(
    (roster) => {
      // A directory's files are parsed and checked one by one: its people are told with the roster.
      if (!told) tell(rosterPagerDutyRefs(roster));
      parentPort?.postMessage({ roster } satisfies RosterAnswer);
    },
    (error: unknown) => parentPort?.postMessage(answerOfError(error)),
  );
});

function answerOfError(error: unknown): RosterAnswer {
  if (error instanceof AppError)
    return { error: { code: error.code, message: error.message, details: error.details } };
  return { failure: error instanceof Error ? error.message : String(error) };
}
