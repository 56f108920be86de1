import { Worker } from "node:worker_threads";
import type { AuditConfig } from "@/lib/config/schema";
import { AppError, type ErrorCode, type ErrorDetail } from "@/lib/errors";
import type { RosterConfig } from "@/lib/gitlab/roster-source";
import type { RosterPagerDutyRef } from "@/lib/roster/pagerduty-refs";
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

/**
 * What it says before it answers with a roster: who the roster names in PagerDuty, as soon as a list file
 * is parsed (`RosterReadHooks.onParsed`), before it is checked; for a directory, with the roster.
 */
export interface RosterParsed {
  refs: RosterPagerDutyRef[];
}

/** The reader's bundle, built from roster-worker.ts beside the CLI's (scripts/build-cli.mjs). */
const WORKER_FILE = "./roster-worker.mjs";

/** A roster read under way. */
export interface RosterRead {
  /** `loadConfiguredRoster` of the config's roster, with the same AppErrors. */
  roster: Promise<Roster>;
  /**
   * Who a roster file names in PagerDuty once it is parsed, before it is checked (`runAudit`'s
   * `rosterRefs`); rejects with `roster`'s error when that comes first (a file that does not parse, a
   * directory that fails its checks). Absent when the roster is read on this thread.
   */
  refs?: Promise<readonly RosterPagerDutyRef[]>;
}

export interface RosterReader {
  /** Starts reading the config's roster. At most once. */
  read(config: RosterInput, token: string | undefined): RosterRead;
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
  let told: (refs: readonly RosterPagerDutyRef[]) => void = () => undefined;
  let untold: (error: unknown) => void = () => undefined;
  const refs = new Promise<readonly RosterPagerDutyRef[]>((resolve, reject) => {
    told = resolve;
    untold = reject;
  });
  // Settled unread when the roster is read on this thread, or the thread is stopped unused.
  refs.catch(() => undefined);
  const answer = new Promise<RosterAnswer>((resolve, reject) => {
    worker?.on("message", (message: RosterParsed | RosterAnswer) => {
      if ("refs" in message) told(message.refs);
      else resolve(message);
    });
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
    read(config, token) {
      if (!worker || !("path" in config.roster)) {
        void worker?.terminate();
        const roster = import("@/lib/gitlab/roster-source").then(({ loadConfiguredRoster }) =>
          loadConfiguredRoster(config, { token }),
        );
        return { roster };
      }
      const task: RosterTask = { roster: config.roster, rotations: config.rotations, exempt: config.exempt };
      worker.ref();
      worker.postMessage(task);
      const roster = answer.then((answered) => {
        if ("roster" in answered) return answered.roster;
        if ("error" in answered)
          throw new AppError(answered.error.code, answered.error.message, {
            details: answered.error.details,
          });
        throw new Error(answered.failure);
      });
      // A roster that cannot be read has them as its error, unless they were told before the checks.
      roster.catch(untold);
      return { roster, refs };
    },
    close() {
      void worker?.terminate();
    },
  };
}
