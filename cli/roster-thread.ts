import { Worker } from "node:worker_threads";
import type { AuditConfig } from "@/lib/config/schema";
import { AppError, type ErrorCode, type ErrorDetail } from "@/lib/errors";
import type { RosterConfig } from "@/lib/gitlab/roster-source";
import type { Roster } from "@/lib/roster/schema";

type RosterInput = RosterConfig & Pick<AuditConfig, "rotations" | "exempt">;

/** What the reader's thread is asked: a roster on disk, held to the config's rotations and exempt titles. */
export type RosterTask = Pick<AuditConfig, "rotations" | "exempt"> & {
  roster: Extract<AuditConfig["roster"], { path: string }>;
};

/** What it answers: the roster, or its error as data (an AppError does not cross threads as itself). */
export type RosterAnswer =
  | { roster: Roster }
  | { error: { code: ErrorCode; message: string; details: ErrorDetail[] } }
  | { failure: string };

/** The reader's bundle, built from roster-worker.ts beside the CLI's (scripts/build-cli.mjs). */
const WORKER_FILE = "./roster-worker.mjs";

export interface RosterReader {
  /** `loadConfiguredRoster` of the config's roster, with the same AppErrors. At most once. */
  read(config: RosterInput, token: string | undefined): Promise<Roster>;
  /** Stops the thread when `read` was not called (the config could not be read, say). */
  close(): void;
}

/**
 * Reads the roster aside: parsing a large roster is a few hundred milliseconds of CPU that would otherwise
 * hold up PagerDuty's answers, read meanwhile. The thread is started now, before the config is read, so
 * that it has loaded its code by the time `read` names the roster. Only from the compiled bundle; from
 * the sources, and for a roster in GitLab (waiting on the network, not the CPU), the roster is read on
 * this thread.
 */
export function startRosterReader(): RosterReader {
  const compiled = import.meta.url.endsWith(".mjs");
  const worker = compiled ? new Worker(new URL(WORKER_FILE, import.meta.url)) : null;
  const answer = new Promise<RosterAnswer>((resolve, reject) => {
    worker?.once("message", resolve);
    worker?.once("error", reject);
    // After an answer this settles nothing.
    worker?.once("exit", (code) => reject(new Error(`the roster reader stopped (exit code ${code})`)));
  });
  // Settled unread when the thread is stopped unused.
  answer.catch(() => undefined);
  // Until it is given a roster to read, it must not keep the process alive. After the listeners: adding
  // one refs the thread again.
  worker?.unref();
  return {
    async read(config, token) {
      if (!worker || !("path" in config.roster)) {
        void worker?.terminate();
        const { loadConfiguredRoster } = await import("@/lib/gitlab/roster-source");
        return loadConfiguredRoster(config, { token });
      }
      const task: RosterTask = { roster: config.roster, rotations: config.rotations, exempt: config.exempt };
      worker.ref();
      worker.postMessage(task);
      const answered = await answer;
      if ("roster" in answered) return answered.roster;
      if ("error" in answered)
        throw new AppError(answered.error.code, answered.error.message, { details: answered.error.details });
      throw new Error(answered.failure);
    },
    close() {
      void worker?.terminate();
    },
  };
}
