// Compiles the `pagerduty-audit` CLI into one ESM file (dist/cli/pagerduty-audit.mjs), so it starts without
// compiling TypeScript at each run, and beside it the roster reader's thread (roster-worker.mjs), a bundle
// of its own so that the thread loads only what reading a roster needs. `npm run build:cli`; `npm run
// build` runs it too.
//
// Every dependency the CLI imports is plain JavaScript and goes into the bundle (nothing to resolve in
// node_modules at start). The database drivers are native or heavy and never part of the CLI: kept
// external, should an import ever pull them in, rather than bundled broken.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { BUNDLE_FILE, INPUTS_FILE } from "../bin/compiled-cli.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Replaces `file` at once, so a CLI starting during a build reads the old file or the new, never half. */
async function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

/** Builds the bundles, their source maps and their list of inputs under `root`. */
export async function buildCli(root = ROOT) {
  const outfile = join(root, BUNDLE_FILE);
  const result = await build({
    absWorkingDir: root,
    // cli/roster-thread.ts starts the reader by this name, beside the CLI's bundle.
    entryPoints: [
      { in: "cli/main.ts", out: basename(BUNDLE_FILE, ".mjs") },
      { in: "cli/roster-worker.ts", out: "roster-worker" },
    ],
    outdir: dirname(outfile),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // CommonJS dependencies (commander) call require() for Node's own modules.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    external: ["better-sqlite3", "pg", "pg-native"],
    // Half the bytes to read and compile at each start; `node --enable-source-maps` maps stacks back.
    minify: true,
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  await mkdir(dirname(outfile), { recursive: true });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.split("/").includes("node_modules"))
    .sort();
  // The CLI's bundle last: the launcher compares its time with the sources', and it names its map and
  // starts the reader's bundle.
  const files = [...result.outputFiles].sort(
    (a, b) => Number(a.path === outfile) - Number(b.path === outfile),
  );
  await writeAtomically(join(root, INPUTS_FILE), `${JSON.stringify(inputs, null, 2)}\n`);
  for (const file of files) await writeAtomically(file.path, file.contents);
  return {
    outfile,
    inputs: inputs.length,
    bytes: files.find((f) => f.path === outfile)?.contents.length ?? 0,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const { outfile, inputs, bytes } = await buildCli();
  console.error(
    `Built ${relative(process.cwd(), outfile)} from ${inputs} source files (${Math.round(bytes / 1024)} KiB) in ${Math.round(performance.now() - started)} ms.`,
  );
}
