import { writeFile } from "node:fs/promises";
import type { AuditReport } from "@/lib/audit/types";
import { loadAuditConfig } from "@/lib/config/load";
import type { AuditConfig } from "@/lib/config/schema";
import { readEnv } from "@/lib/env";
import { AppError, formatDetail, formatErrorDetails } from "@/lib/errors";
import { createGitLabClient } from "@/lib/gitlab/client";
import { createPagerDutyClientFromConfig } from "@/lib/pagerduty/client";
import type { SnapshotProgress } from "@/lib/pagerduty/snapshot";
import type { RetryEvent } from "@/lib/http/request";
import { showControlChars, type KnownUsers } from "@/lib/report/escape";
import { formatReport } from "@/lib/report/format";
import { describeReadErrors, runAudit } from "@/lib/runner/run-audit";
import { findKnownUsers, mentionCandidatesOf } from "@/lib/service/mentions";
import { EXIT, type CliIo, type CliOptions } from "./io";
import { checkReportPath } from "./output";
import { createProgressReporter } from "./progress";
import type { RosterReader } from "./roster-thread";

/**
 * Runs the audit the parsed command line asks for and returns the exit code (see `runCli`). The roster is
 * read through `rosterReader`, started before this module was loaded.
 */
export async function runAuditCommand(
  options: CliOptions,
  io: CliIo,
  rosterReader: RosterReader,
): Promise<number> {
  const progress = createProgressReporter({
    enabled: options.progress,
    terminal: io.terminal,
    write: io.stderr,
  });
  try {
    // A report that cannot be written is refused now, not after minutes of reading PagerDuty.
    if (options.output) await checkReportPath(options.output);
    const env = readEnv(io.env);
    const config = await loadAuditConfig(options.config, { pagerDutyApiUrl: env.PAGERDUTY_API_URL });
    const { roster: rosterRead, refs: rosterRefs } = rosterReader.read(config, env.GL_TOKEN);
    // Until the roster is read (PagerDuty is read meanwhile), so a roster error still comes first.
    rosterRead.catch(() => undefined);
    if (!env.PD_TOKEN) {
      await rosterRead;
      throw new AppError(
        "invalid:environment",
        "PD_TOKEN is not set: export a read-only PagerDuty REST API key as PD_TOKEN (never pass it as an argument).",
      );
    }
    // Progress and retries that come before the roster is read wait for the title line that counts its
    // people (and for a roster error, which comes first).
    const early = new Map<SnapshotProgress["phase"], SnapshotProgress>();
    const earlyRetries: RetryEvent[] = [];
    let started = false;
    const client = createPagerDutyClientFromConfig(config.pagerduty, env.PD_TOKEN, {
      onRetry: (event) => (started ? progress.retry(event) : earlyRetries.push(event)),
    });
    const running = runAudit({
      config,
      roster: rosterRead,
      rosterRefs,
      client,
      now: options.now ?? io.now(),
      onProgress: (p) => (started ? progress.update(p) : early.set(p.phase, p)),
    });
    running.catch(() => undefined);
    const roster = await rosterRead;
    // Read, but to be tidied by the roster's owners; the report's `warnings` lists them too.
    // One write for them all: a large roster written by Ruby tooling has hundreds, and each write to a pipe
    // is a system call on this thread while PagerDuty's answers come in.
    const warnings = (roster.warnings ?? []).map((w) => `warning: ${shown(formatDetail(w))}\n`).join("");
    if (warnings !== "") io.stderr(warnings);
    progress.start(`Auditing ${roster.entries.length} people against ${config.rotations.length} rotation(s)`);
    started = true;
    for (const event of earlyRetries) progress.retry(event);
    for (const p of early.values()) progress.update(p);
    const { report } = await running;
    progress.stop();

    const mentions = options.format === "text" || options.format === "markdown";
    const known = mentions ? await knownUsersOf(report, config, env.GL_TOKEN, io) : undefined;
    const text = formatReport(report, options.format, known);
    if (options.output) {
      await writeFile(options.output, text, "utf8");
      io.stderr(`Report written to ${options.output}\n`);
    } else {
      io.stdout(text);
    }
    io.stderr(`${summaryLine(report)}\n`);
    // The report's error list may be in a file or a format without one (CSV): say here what went wrong.
    if (!report.complete) io.stderr(`${shown(describeReadErrors(report.errors))}\n`);
    if (!report.complete) return EXIT.error;
    return report.findings.length > 0 ? EXIT.findings : EXIT.clean;
  } catch (error) {
    progress.stop();
    io.stderr(`error: ${shown(error instanceof AppError ? formatErrorDetails(error) : unexpected(error))}\n`);
    return EXIT.error;
  }
}

/**
 * Text for the terminal that holds what people wrote (roster names, stories, PagerDuty's messages): each
 * line's control characters shown as escapes, so an escape sequence in a name cannot retitle or redraw the
 * terminal, nor a bidi override reverse what follows.
 */
function shown(text: string): string {
  return text.split("\n").map(showControlChars).join("\n");
}

/**
 * The report's usernames that GitLab resolves to a user, when the config names a GitLab instance and
 * GL_TOKEN is set, so the text pasted into the issue mentions no group; a warning on stderr for each other
 * one. Without GitLab, undefined: well-formed usernames stay live. When GitLab cannot be asked, none is live.
 */
async function knownUsersOf(
  report: AuditReport,
  config: AuditConfig,
  token: string | undefined,
  io: CliIo,
): Promise<KnownUsers | undefined> {
  if (!config.gitlab || !token) return undefined;
  const client = createGitLabClient({ baseUrl: config.gitlab.url, token });
  try {
    const { known, warnings } = await findKnownUsers(client, mentionCandidatesOf(report));
    for (const warning of warnings) io.stderr(`warning: ${shown(warning)}\n`);
    return known;
  } catch (error) {
    const why = error instanceof AppError ? error.message : unexpected(error);
    io.stderr(
      `warning: ${shown(`Could not ask GitLab who its users are (${why}); no handle is a live mention.`)}\n`,
    );
    return new Set();
  }
}

function summaryLine(report: AuditReport): string {
  const { summary } = report;
  const state = report.complete ? "complete" : `INCOMPLETE (${report.errors.length} read error(s))`;
  return `Audit ${state}: ${summary.findings} finding(s) for ${summary.peopleWithFindings} people; ${summary.schedules.read}/${summary.schedules.configured} schedules read.`;
}

function unexpected(error: unknown): string {
  return `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
}
