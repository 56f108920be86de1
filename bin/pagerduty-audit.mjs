#!/usr/bin/env node
// Launcher for the `pagerduty-audit` CLI: runs the TypeScript sources through tsx with the project's
// tsconfig (for its `@/` paths), whatever the working directory.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { runCli } = await import("../cli/main.ts");

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stderr.isTTY ? process.stderr : undefined,
  env: process.env,
  now: () => new Date(),
});
process.exitCode = code;
