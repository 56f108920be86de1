import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { AuditConfig, RosterSource } from "@/lib/config/schema";
import {
  fileSystemError,
  readCappedFile,
  statPath,
  tooLargeError,
  type ReadSubject,
} from "@/lib/config/read-file";
import { compareText, decodeUtf8 } from "@/lib/config/yaml";
import { AppError } from "@/lib/errors";
import { rosterRulesOf, type RosterRules } from "./membership";
import {
  MAX_ROSTER_FILE_BYTES,
  buildRoster,
  checkRosterPerson,
  crossCheckPeople,
  readRosterList,
  rosterError,
  type RosterPersonCheck,
} from "./parse";
import type { Roster } from "./schema";

/** Most files read from a roster directory; a directory with more is almost surely the wrong one. */
export const MAX_ROSTER_DIRECTORY_FILES = 5_000;

const ROSTER: ReadSubject = { subject: "roster", label: "roster" };
const YAML_FILE = /\.ya?ml$/i;

type GitLabSource = Extract<RosterSource, { gitlab: unknown }>["gitlab"];

export interface GitLabFileRequest {
  project: string | number;
  ref: string;
  /** Path of the file in the repository. */
  path: string;
  /** GitLab base URL when not the client's default. */
  url?: string;
  /** The client should refuse (or stop reading) a file larger than this. */
  maxBytes: number;
}

export interface GitLabTreeRequest {
  project: string | number;
  ref: string;
  /** Directory in the repository; only its direct children are wanted. */
  path: string;
  url?: string;
}

export interface GitLabTreeItem {
  /** Path in the repository, as GitLab's tree API returns it (`data/agents/alice.yaml`). */
  path: string;
  type: "blob" | "tree";
}

/**
 * What reading a roster from GitLab needs; the GitLab client supplies these. Errors they throw should be
 * AppErrors (`not_found:roster`, `upstream:gitlab`…); anything else is wrapped as `upstream:gitlab`.
 */
export interface RosterLoadDeps {
  readGitLabFile?: (request: GitLabFileRequest) => Promise<Uint8Array>;
  readGitLabTree?: (request: GitLabTreeRequest) => Promise<GitLabTreeItem[]>;
}

interface RosterFile {
  /** Name used in errors and locations. */
  label: string;
  /** Name hashed for directory rosters (relative to the directory). */
  name: string;
  bytes: Uint8Array;
}

/**
 * Reads and validates the roster the config names.
 *
 * - `{ path }` to a file: a list of people (`support-team.yaml`).
 * - `{ path }` to a directory: every `*.yaml` / `*.yml` file directly in it (not hidden ones, not
 *   subdirectories), in name order, each holding one person (GitLab's `data/agents/*.yaml`). A file there
 *   that holds a list is an error rather than a second layout: mixing layouts hides which file is the
 *   roster.
 * - `{ gitlab: { project, path, ref } }`: the same two layouts read through `deps` — a path ending in
 *   `.yaml`/`.yml` is a file, anything else a directory.
 *
 * Throws AppError: `not_found:roster` for a missing path, `invalid:roster` listing every problem of every
 * file, `invalid:config` when a GitLab source is given without a GitLab client.
 *
 * This reads the roster alone; an audit reads it with `loadRosterForConfig`, which also holds it to the
 * config.
 */
export async function loadRoster(source: RosterSource, deps: RosterLoadDeps = {}): Promise<Roster> {
  return readRoster(source, deps, null);
}

/** What a roster read tells before it is done. */
export interface RosterReadHooks {
  /**
   * A list file's entries as parsed, before they are checked: a large roster's checks take about a third
   * of its read, and `pagerDutyRefsOf` these is what PagerDuty is asked about the people of any roster
   * that passes them. Not called for a directory, whose files are parsed and checked one by one.
   */
  onParsed?: (people: readonly unknown[]) => void;
}

/**
 * `loadRoster` of the config's roster, also refusing (`invalid:roster`, with file, entry and line) what
 * only the config can tell is wrong: a value at a `members.field` path that names no rotation of the
 * config (a typo silently drops someone from a rotation), and a `reports_to` naming nobody in the roster
 * unless the entry's title is exempt (the VP of Support, at the top of the tree, reports outside it).
 * Every problem of every file is listed together.
 */
export async function loadRosterForConfig(
  config: Pick<AuditConfig, "roster" | "rotations" | "exempt">,
  deps: RosterLoadDeps = {},
  hooks: RosterReadHooks = {},
): Promise<Roster> {
  return readRoster(config.roster, deps, rosterRulesOf(config), hooks);
}

async function readRoster(
  source: RosterSource,
  deps: RosterLoadDeps,
  rules: RosterRules | null,
  hooks: RosterReadHooks = {},
): Promise<Roster> {
  if ("gitlab" in source) return loadGitLabRoster(source.gitlab, deps, rules);
  const info = await statPath(source.path, ROSTER);
  if (info.isDirectory()) {
    const names = await listYamlFiles(source.path);
    const files: RosterFile[] = [];
    for (const name of names) {
      const file = join(source.path, name);
      files.push({ label: file, name, bytes: await readCappedFile(file, MAX_ROSTER_FILE_BYTES, ROSTER) });
    }
    return assembleDirectory(source.path, files, rules);
  }
  const bytes = await readCappedFile(source.path, MAX_ROSTER_FILE_BYTES, ROSTER);
  return assembleList(source.path, { label: source.path, name: source.path, bytes }, rules, hooks);
}

async function listYamlFiles(directory: string): Promise<string[]> {
  let dirents;
  try {
    dirents = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw fileSystemError(error, directory, ROSTER);
  }
  const names = dirents
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && YAML_FILE.test(d.name) && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort(compareText);
  checkDirectorySize(directory, names.length);
  return names;
}

function checkDirectorySize(directory: string, count: number): void {
  if (count === 0) {
    throw rosterError([{ file: directory, message: "the directory holds no *.yaml or *.yml files" }]);
  }
  if (count > MAX_ROSTER_DIRECTORY_FILES) {
    throw rosterError([
      {
        file: directory,
        message: `the directory holds ${count} YAML files; at most ${MAX_ROSTER_DIRECTORY_FILES} are read`,
      },
    ]);
  }
}

function assembleList(
  source: string,
  file: RosterFile,
  rules: RosterRules | null,
  hooks: RosterReadHooks = {},
): Roster {
  const text = decodeUtf8(file.bytes, file.label, { code: "invalid:roster", label: "roster file" });
  const { entries, warnings } = readRosterList(text, file.label, rules, hooks.onParsed);
  return buildRoster(source, entries, createHash("sha256").update(file.bytes).digest("hex"), warnings);
}

/** Parses every file, then checks across files, so one run reports all problems of all files. */
function assembleDirectory(source: string, files: RosterFile[], rules: RosterRules | null): Roster {
  const hash = createHash("sha256");
  const checks: RosterPersonCheck[] = [];
  for (const file of files) {
    hash.update(`${file.name}\0${file.bytes.byteLength}\0`).update(file.bytes);
    try {
      const text = decodeUtf8(file.bytes, file.label, { code: "invalid:roster", label: "roster file" });
      checks.push(checkRosterPerson(text, file.label, rules));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "invalid:roster") throw error;
      checks.push({
        entry: null,
        details: error.details,
        claims: null,
        name: null,
        manager: null,
        warnings: [],
      });
    }
  }
  const details = crossCheckPeople(checks, rules);
  if (details.length > 0) throw rosterError(details);
  const entries = checks.flatMap((checked) => (checked.entry ? [checked.entry] : []));
  const warnings = checks.flatMap((checked) => checked.warnings);
  return buildRoster(source, entries, hash.digest("hex"), warnings);
}

async function loadGitLabRoster(
  gitlab: GitLabSource,
  deps: RosterLoadDeps,
  rules: RosterRules | null,
): Promise<Roster> {
  const { project, ref, path, url } = gitlab;
  const source = `gitlab:${project}@${ref}:${path}`;
  const base = { project, ref, ...(url === undefined ? {} : { url }) };
  const readFile = deps.readGitLabFile;
  if (!readFile) throw missingClient(source);
  const fetchFile = async (filePath: string): Promise<Uint8Array> => {
    const label = `gitlab:${project}@${ref}:${filePath}`;
    const bytes = await callGitLab(() =>
      readFile({ ...base, path: filePath, maxBytes: MAX_ROSTER_FILE_BYTES }),
    );
    if (bytes.byteLength > MAX_ROSTER_FILE_BYTES) {
      throw tooLargeError(label, bytes.byteLength, MAX_ROSTER_FILE_BYTES, ROSTER);
    }
    return bytes;
  };

  if (YAML_FILE.test(path)) {
    return assembleList(source, { label: source, name: path, bytes: await fetchFile(path) }, rules);
  }
  const readTree = deps.readGitLabTree;
  if (!readTree) throw missingClient(source);
  const directory = path.replace(/\/+$/, "");
  const tree = await callGitLab(() => readTree({ ...base, path: directory }));
  const names = tree
    .filter((item) => item.type === "blob")
    .map((item) => item.path.split("/").at(-1) ?? item.path)
    .filter((name) => YAML_FILE.test(name) && !name.startsWith("."))
    .sort(compareText);
  checkDirectorySize(source, names.length);
  const files: RosterFile[] = [];
  for (const name of names) {
    const filePath = `${directory}/${name}`;
    files.push({ label: `gitlab:${project}@${ref}:${filePath}`, name, bytes: await fetchFile(filePath) });
  }
  return assembleDirectory(source, files, rules);
}

function missingClient(source: string): AppError {
  return new AppError(
    "invalid:config",
    `Reading the roster from GitLab needs a GitLab client, and none was given (roster ${source}). Set roster.path to a local checkout instead, or run where the GitLab client is configured.`,
  );
}

async function callGitLab<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("upstream:gitlab", "Reading the roster from GitLab failed.", { cause: error });
  }
}
