/**
 * Starts the sandbox PagerDuty with a generated scenario and keeps it up until SIGINT/SIGTERM.
 *
 *   npx tsx scripts/sandbox-pagerduty.ts --scenario demo --port 0 --rate-limit 960 --dir ./data/demo
 *
 * Writes the roster, the audit config (pointing at the sandbox) and the served PagerDuty state into
 * `--dir`, then prints the URL, the token and the config path.
 */
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import * as z from "zod";
import { DEFAULT_SANDBOX_TOKEN, startPagerDutySandbox } from "../sandbox/pagerduty/server";
import type { AnswerOptions, FaultOptions } from "../sandbox/pagerduty/types";
import { generateDemoOrg } from "../sandbox/scenarios/demo-org";
import { generateOrg } from "../sandbox/scenarios/generate-org";
import { writeScenario } from "../sandbox/scenarios/write-scenario";

const rate = z.number().min(0).max(1).optional();
const FaultOptionsSchema = z.strictObject({
  transientErrorRate: rate,
  rateLimitRate: rate,
  timeoutRate: rate,
  timeoutMs: z.number().int().positive().optional(),
  connectionResetRate: rate,
  truncatedBodyRate: rate,
  revokeTokenAfter: z.number().int().nonnegative().optional(),
});

const AnswerOptionsSchema = z.strictObject({
  crossNamespace: z.union([z.literal(400), z.literal(404)]).optional(),
  v3ListOmits: z.array(z.enum(["more", "total"])).optional(),
  v3ListStatus: z.union([z.literal(403), z.literal(500)]).optional(),
  v3ScheduleOmits: z.enum(["events", "rotations"]).optional(),
  rotationEventsStatus: z.literal(500).optional(),
}) satisfies z.ZodType<AnswerOptions>;

function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

function parseShare(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError("expected a number from 0 to 1");
  return n;
}

/** A commander parser for a JSON option checked against `schema`; `example` shows the shape on bad JSON. */
function jsonOption<S extends z.ZodType>(schema: S, example: string): (value: string) => z.output<S> {
  return (value) => {
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError(`expected JSON, e.g. ${example}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new InvalidArgumentError(z.prettifyError(parsed.error));
    return parsed.data;
  };
}

const parseFaults = jsonOption(FaultOptionsSchema, '{"transientErrorRate":0.05}');
const parseAnswers = jsonOption(AnswerOptionsSchema, '{"v3ListStatus":500,"v3ScheduleOmits":"events"}');

interface CliOptions {
  scenario: "demo" | "bench";
  host: string;
  port: number;
  latency: number;
  rateLimit?: number;
  dir?: string;
  token: string;
  seed: number;
  people: number;
  extraUsers: number;
  schedules: number;
  v3Share: number;
  agents: boolean;
  faults?: FaultOptions;
  answers?: AnswerOptions;
}

const program = new Command()
  .name("sandbox-pagerduty")
  .description("Serve a generated org from a sandbox PagerDuty REST API on loopback.")
  .addOption(new Option("--scenario <name>", "which org to serve").choices(["demo", "bench"]).default("demo"))
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on; 0 picks a free one", parseInteger, 0)
  .option("--latency <ms>", "delay added to every response", parseInteger, 0)
  .option(
    "--rate-limit <perMinute>",
    "enforce this many requests per rolling minute (0 or absent: off)",
    parseInteger,
  )
  .option("--dir <dir>", "where to write the scenario (default ./data/<scenario>)")
  .option("--token <token>", "API token the sandbox accepts", DEFAULT_SANDBOX_TOKEN)
  .option("--seed <n>", "seed for the bench org and for fault draws", parseInteger, 1)
  .option("--people <n>", "bench: roster size", parseInteger, 2000)
  .option("--extra-users <n>", "bench: PagerDuty users beyond the roster", parseInteger, 1000)
  .option("--schedules <n>", "bench: schedules in the config", parseInteger, 60)
  .option("--v3-share <share>", "bench: share of shift-based (v3) schedules, 0..1", parseShare, 0.4)
  .option("--agents", "also write agents/<name>.yaml, one file per person", false)
  .option(
    "--faults <json>",
    'fault injection, e.g. {"transientErrorRate":0.05,"rateLimitRate":0.02}',
    parseFaults,
  )
  .option(
    "--answers <json>",
    'real PagerDuty answers beyond the defaults, e.g. {"v3ListOmits":["more"],"v3ScheduleOmits":"events"}',
    parseAnswers,
  );

async function main(): Promise<void> {
  const options = program.parse().opts<CliOptions>();
  const now = new Date();
  const scenario =
    options.scenario === "bench"
      ? generateOrg({
          people: options.people,
          extraPagerDutyUsers: options.extraUsers,
          schedules: options.schedules,
          v3Share: options.v3Share,
          seed: options.seed,
          now,
        })
      : generateDemoOrg({ now });

  const sandbox = await startPagerDutySandbox(scenario.pagerduty, {
    token: options.token,
    host: options.host,
    port: options.port,
    latencyMs: options.latency,
    ...(options.rateLimit ? { rateLimitPerMinute: options.rateLimit } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.answers ? { answers: options.answers } : {}),
    seed: options.seed,
  });
  const dir = path.resolve(options.dir ?? path.join("data", options.scenario));
  const written = await writeScenario(dir, scenario, { pagerdutyUrl: sandbox.url, agents: options.agents });

  const users = scenario.pagerduty.users.length;
  const schedules = scenario.pagerduty.schedules.length;
  const people = scenario.roster.length;
  console.log(
    `Sandbox PagerDuty (${options.scenario}: ${people} people, ${users} users, ${schedules} schedules)`,
  );
  console.log(`  URL:     ${sandbox.url}`);
  console.log(`  Token:   ${sandbox.token}`);
  console.log(`  Config:  ${written.configPath}`);
  console.log(`  Roster:  ${written.rosterPath}${written.agentsDir ? ` (and ${written.agentsDir})` : ""}`);
  const limit = options.rateLimit ? `${options.rateLimit} requests/minute` : "no rate limit";
  console.log(`  Limits:  ${limit}, ${options.latency} ms latency`);
  console.log("Press Ctrl+C to stop.");

  const shutdown = (signal: string) => {
    console.log(`\n${signal}: stopping. Served ${sandbox.stats().requests} requests.`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
