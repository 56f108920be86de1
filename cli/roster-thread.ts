import { Worker, parentPort, workerData } from "node:worker_threads";
import { AppError, type ErrorCode, type ErrorDetail } from "@/lib/errors";
import { loadConfiguredRoster, type RosterConfig } from "@/lib/gitlab/roster-source";
import type { AuditConfig } from "@/lib/config/schema";
import type { Roster } from "@/lib/roster/schema";
import { ROSTER_TASK } from "./io";

type RosterInput = RosterConfig & Pick<AuditConfig, "rotations" | "exempt">;

type Answer =
  | { roster: Roster }
  | { error: { code: ErrorCode; message: string; details: ErrorDetail[] } }
  | { failure: string };

/**
 * `loadConfiguredRoster` of a roster on disk, read on a worker thread: parsing a large roster is a few
 * hundred milliseconds of CPU that would otherwise hold up PagerDuty's answers, read meanwhile. Only from
 * the compiled bundle (the worker runs this same file); from the sources, and for a roster in GitLab
 * (waiting on the network, not the CPU), it is read on this thread. Errors are the same AppErrors.
 */
export function loadRosterAside(config: RosterInput, token: string | undefined): Promise<Roster> {
  const self = import.meta.url;
  if (!self.endsWith(".mjs") || !("path" in config.roster)) return loadConfiguredRoster(config, { token });
  const input: RosterInput = {
    roster: config.roster,
    rotations: config.rotations,
    exempt: config.exempt,
    ...(config.gitlab ? { gitlab: config.gitlab } : {}),
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(self), { workerData: { task: ROSTER_TASK, input } });
    worker.once("message", (answer: Answer) => {
      if ("roster" in answer) resolve(answer.roster);
      else if ("error" in answer)
        reject(new AppError(answer.error.code, answer.error.message, { details: answer.error.details }));
      else reject(new Error(answer.failure));
    });
    worker.once("error", reject);
    // After an answer this settles nothing.
    worker.once("exit", (code) => reject(new Error(`the roster reader stopped (exit code ${code})`)));
  });
}

/** The worker's side of `loadRosterAside`. */
export async function answerRosterTask(): Promise<void> {
  const { input } = workerData as { input: RosterInput };
  let answer: Answer;
  try {
    answer = { roster: await loadConfiguredRoster(input, { token: undefined }) };
  } catch (error) {
    answer =
      error instanceof AppError
        ? { error: { code: error.code, message: error.message, details: error.details } }
        : { failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
}
