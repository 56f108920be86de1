/**
 * Whether the dashboard's build (`.next`) was made from the sources as they are now: a stamp written next to
 * the build after a successful `next build`, holding a hash of everything the build reads and the build's
 * own ID. Content, not modification times: a checkout, a copy that keeps old times or a reverted edit
 * cannot fool it, and `.next` rebuilt by anyone else (another BUILD_ID) is not taken for ours.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Directories whose files the build compiles or serves (`sandbox` too: the app must never import it, but if it did…). */
const INPUT_DIRS = ["app", "components", "lib", "sandbox", "public"];
/** Files at the root that change what the build makes. */
const INPUT_FILES = [
  "instrumentation.ts",
  "proxy.ts",
  "next.config.ts",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
  ".env",
  ".env.local",
  ".env.production",
  ".env.production.local",
];
/** Unit tests sit beside the code, and the build never reads them. */
const TEST_FILE = /\.test\.tsx?$/;

export interface BuildStamp {
  /** `.next/BUILD_ID` of the build the stamp vouches for. */
  buildId: string;
  /** `hashBuildInputs` of the sources it was built from. */
  inputs: string;
}

export interface BuildInput {
  /** Relative to the project root, with `/` separators. */
  path: string;
  content: Uint8Array;
}

/**
 * One hash over the build's input files (in any order) and the environment the build inlines
 * (`NEXT_PUBLIC_*`). A renamed, added, removed or edited file changes it.
 */
export function hashBuildInputs(
  files: readonly BuildInput[],
  env: Readonly<Record<string, string | undefined>>,
): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    // Lengths first, so no two different lists of files can run together into the same bytes.
    hash.update(`${file.path.length}:${file.path}:${file.content.byteLength}:`);
    hash.update(file.content);
  }
  const inlined = Object.keys(env)
    .filter((key) => key.startsWith("NEXT_PUBLIC_") && env[key] !== undefined)
    .sort();
  hash.update(JSON.stringify(inlined.map((key) => [key, env[key]])));
  return hash.digest("hex");
}

/**
 * Whether the build in place may be served: it exists (`buildId` not null), a stamp vouches for that very
 * build, and the sources hash as they did when it was made. Anything missing or different: rebuild.
 */
export function isBuildCurrent(stamp: BuildStamp | null, buildId: string | null, inputs: string): boolean {
  return stamp !== null && buildId !== null && stamp.buildId === buildId && stamp.inputs === inputs;
}

/** The stamp file's content, or null when it is missing or not a stamp. */
export function parseBuildStamp(text: string | null): BuildStamp | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { buildId, inputs } = value as Record<string, unknown>;
    return typeof buildId === "string" && typeof inputs === "string" ? { buildId, inputs } : null;
  } catch {
    return null;
  }
}

/** The build's input files under `root`, read (node_modules and tests skipped). */
export function readBuildInputs(root: string): BuildInput[] {
  const files: BuildInput[] = [];
  const add = (relative: string) => {
    files.push({
      path: relative.split(path.sep).join("/"),
      content: readFileSync(path.join(root, relative)),
    });
  };
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(child);
      } else if (entry.isFile() && !TEST_FILE.test(entry.name)) {
        add(child);
      }
    }
  };
  for (const dir of INPUT_DIRS) if (existsSync(path.join(root, dir))) walk(dir);
  for (const file of INPUT_FILES) {
    const full = path.join(root, file);
    if (existsSync(full) && statSync(full).isFile()) add(file);
  }
  return files;
}

/** `.next/BUILD_ID`, or null without a build. */
export function readBuildId(root: string): string | null {
  const file = path.join(root, ".next", "BUILD_ID");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : null;
}

/** Where the stamp is kept: inside the build, so removing `.next` removes it too. */
export function buildStampPath(root: string): string {
  return path.join(root, ".next", "source-stamp.json");
}

/**
 * The hash of the build's inputs as they are now when the build in place was not made from them (build,
 * then `stampBuild` with it), or null when it was. Hashed before a build, so an edit made while it runs is
 * caught at the next start.
 */
export function staleBuildInputs(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  const inputs = hashBuildInputs(readBuildInputs(root), env);
  const stampFile = buildStampPath(root);
  const stamp = parseBuildStamp(existsSync(stampFile) ? readFileSync(stampFile, "utf8") : null);
  return isBuildCurrent(stamp, readBuildId(root), inputs) ? null : inputs;
}

/** Vouches for the build just made (if there is one) as made from `inputs`. */
export function stampBuild(root: string, inputs: string): void {
  const buildId = readBuildId(root);
  if (buildId !== null) writeFileSync(buildStampPath(root), `${JSON.stringify({ buildId, inputs })}\n`);
}
