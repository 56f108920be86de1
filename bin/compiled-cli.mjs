// Where the compiled CLI lives, and whether it may be run: shared by the launcher and the build script.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The bundle, relative to the project root. */
export const BUNDLE_FILE = "dist/cli/pagerduty-audit.mjs";
/** The roster reader's own bundle, which the CLI starts on a thread (cli/roster-thread.ts): built with it. */
export const WORKER_BUNDLE_FILE = "dist/cli/roster-worker.mjs";
/** The project files the bundle was built from (a JSON list of root-relative paths), written beside it. */
export const INPUTS_FILE = "dist/cli/inputs.json";
/** A dependency upgrade changes this file, and the bundle holds the dependencies' code. */
const LOCK_FILE = "package-lock.json";

const mtimeOf = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Why the bundle under `root` should not be run, or null when it may: it or its roster reader is missing, or a file it was
 * built from (a TypeScript source, or package-lock.json for the bundled dependencies) changed after it was
 * built. A listed file that is absent does not count: an install may ship the bundle without the sources.
 */
export function findCompiledCliProblem(root) {
  const built = mtimeOf(join(root, BUNDLE_FILE));
  if (built === undefined) return "not built";
  // Without it an audit would fail reading the roster, long after the launcher chose the bundle.
  if (mtimeOf(join(root, WORKER_BUNDLE_FILE)) === undefined) return "built without its roster reader";
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, INPUTS_FILE), "utf8"));
  } catch {
    return "built without its list of sources";
  }
  for (const input of [...inputs, LOCK_FILE]) {
    const changed = mtimeOf(join(root, input));
    if (changed !== undefined && changed > built) return `older than ${input}`;
  }
  return null;
}
