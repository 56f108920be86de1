#!/usr/bin/env node
// Launcher for the `pagerduty-audit` CLI: runs the compiled bundle (`npm run build:cli`, part of
// `npm run build`). When the bundle is missing or older than its sources, it says so and runs the
// TypeScript sources through tsx instead: slower to start, but never an audit by yesterday's code.
import { fileURLToPath } from "node:url";
import { BUNDLE_FILE, findCompiledCliProblem } from "./compiled-cli.mjs";

const root = new URL("../", import.meta.url);
const problem = findCompiledCliProblem(fileURLToPath(root));
let runCli;
if (problem === null) {
  ({ runCli } = await import(new URL(BUNDLE_FILE, root).href));
} else {
  process.stderr.write(
    `warning: the compiled CLI is ${problem}; running the TypeScript sources through tsx (slower start). Run \`npm run build:cli\` to compile it.\n`,
  );
  const { register } = await import("tsx/esm/api");
  // The project's tsconfig, for its `@/` paths, whatever the working directory.
  register({ tsconfig: fileURLToPath(new URL("tsconfig.json", root)) });
  ({ runCli } = await import("../cli/main.ts"));
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stderr.isTTY ? process.stderr : undefined,
  env: process.env,
  now: () => new Date(),
});
// Exit once what was written has gone to the terminal, file or pipe, not when the event loop drains: that
// waits for idle keep-alive sockets and the roster thread to close, ~30 ms in which nothing happens for the
// user. A write's callback runs after every earlier write to the same stream has been handed over.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

/** Resolves once everything written to `stream` so far has been flushed (or the stream has failed). */
function flushed(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write("", () => resolve());
  });
}
