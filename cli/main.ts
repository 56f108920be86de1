import { Command, InvalidArgumentError, Option } from "commander";
import { REPORT_FORMATS } from "@/lib/report/formats";
import type { CliIo, CliOptions } from "./io";
import { EXIT } from "./io";
import { startRosterReader } from "./roster-thread";

export { EXIT, type CliIo } from "./io";

function parseInstant(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError("expected an ISO 8601 time, e.g. 2026-11-24T09:00:00Z");
  return date;
}

function buildProgram(io: CliIo): Command {
  return new Command()
    .name("pagerduty-audit")
    .description(
      "Audit PagerDuty on-call schedules against the support team roster.\n" +
        "Reads PD_TOKEN (a read-only PagerDuty REST API key) from the environment; PAGERDUTY_API_URL overrides the config's URL.\n" +
        "A roster kept in GitLab (roster.gitlab in the config) is read with GL_TOKEN (scope read_api).",
    )
    .option("-c, --config <file>", "audit configuration (YAML)", "audit.config.yaml")
    .addOption(new Option("-f, --format <format>", "report format").choices(REPORT_FORMATS).default("text"))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--now <time>", "audit as of this moment (ISO 8601, default: the current time)", parseInstant)
    .option("--no-progress", "do not show progress on stderr")
    .addHelpText(
      "after",
      "\nExit status: 0 no findings, 1 findings, 2 error or incomplete audit (some PagerDuty data could not be read).",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

/**
 * Runs the CLI and returns its exit code. IO comes in through `io` so tests can run it in-process; the
 * launcher in `bin/` passes the real process streams.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  let options: CliOptions;
  try {
    program.parse(argv, { from: "user" });
    options = program.opts<CliOptions>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? EXIT.clean : EXIT.error;
  }
  // The roster's thread loads its code while this one loads the audit's and reads the config.
  const rosterReader = startRosterReader();
  try {
    // The audit's modules (schemas, clients, checker, report formats) are loaded only once there is an
    // audit to run, so `--help` and a mistyped option answer as fast as the arguments can be read.
    const { runAuditCommand } = await import("./audit");
    return await runAuditCommand(options, io, rosterReader);
  } finally {
    rosterReader.close();
  }
}
