/**
 * The demo: a sandbox PagerDuty seeded with a realistic support org, and an audit run against it.
 *
 *   npm run demo            # audit, print the report, keep the sandbox up for your own runs (Ctrl-C stops)
 *   npm run demo -- --once  # audit, print, exit (used by the tests)
 */
import path from "node:path";
import { runCli } from "../cli/main";
import { DEFAULT_SANDBOX_TOKEN, startPagerDutySandbox } from "../sandbox/pagerduty/server";
import { generateDemoOrg } from "../sandbox/scenarios/demo-org";
import { writeScenario } from "../sandbox/scenarios/write-scenario";

const once = process.argv.includes("--once");
const dir = path.resolve("data", "demo");
const now = new Date();
const scenario = generateDemoOrg({ now });
// A little latency so the progress display and the client's concurrency look like the real thing.
const sandbox = await startPagerDutySandbox(scenario.pagerduty, { latencyMs: 40, rateLimitPerMinute: 960 });
const written = await writeScenario(dir, scenario, { pagerdutyUrl: sandbox.url, agents: true });
const relativeConfig = path.relative(process.cwd(), written.configPath);

process.stderr.write(
  `Sandbox PagerDuty at ${sandbox.url} (token ${DEFAULT_SANDBOX_TOKEN}); demo org in ${path.relative(process.cwd(), dir)}/\n\n`,
);
const code = await runCli(["--config", written.configPath, "--format", "text"], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stderr.isTTY ? process.stderr : undefined,
  env: { PD_TOKEN: sandbox.token },
  now: () => now,
});

if (once) {
  await sandbox.stop();
  // Findings are expected in the demo (exit 1); anything else is a failure of the demo itself.
  process.exitCode = code === 1 ? 0 : code;
} else {
  process.stderr.write(
    [
      "",
      "The sandbox stays up. Try, in another terminal:",
      `  PD_TOKEN=${sandbox.token} npx pagerduty-audit --config ${relativeConfig} --format markdown`,
      `  PD_TOKEN=${sandbox.token} npx pagerduty-audit --config ${relativeConfig} --format json --output report.json`,
      `Edit ${path.relative(process.cwd(), written.rosterPath)} and run again to see findings come and go.`,
      "Ctrl-C stops the sandbox.",
      "",
    ].join("\n"),
  );
  const stop = () => void sandbox.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
