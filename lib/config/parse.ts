import { AppError, type ErrorDetail } from "@/lib/errors";
import { describeIssues } from "./issues";
import { AuditConfigSchema, type AuditConfig } from "./schema";
import {
  describeFirstProblem,
  describeValue,
  formatPath,
  isPlainMapping,
  parseYaml,
  sortDetails,
  type PathSegment,
  type YamlDocument,
} from "./yaml";

/** Largest config file read (bytes); a config is a few kilobytes. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The error every config problem ends in: one summary line that says where the first problem is, then
 * every detail, in file order.
 */
export function configError(file: string, details: ErrorDetail[], cause?: unknown): AppError {
  const sorted = sortDetails(details);
  const count = details.length === 1 ? "1 problem" : `${details.length} problems`;
  const first = describeFirstProblem(sorted, false);
  return new AppError("invalid:config", `The audit config ${file} has ${count}${first}.`, {
    details: sorted,
    cause,
  });
}

/**
 * Parses and validates an audit config (YAML, core schema). Returns the config with defaults filled in;
 * throws AppError `invalid:config` listing every problem with its path (`rotations[2].schedules[0]`),
 * line and column: YAML syntax, schema violations, unknown keys (with the key probably meant), and the
 * checks across fields (duplicate rotation ids, empty segments in dotted paths, repeated schedules).
 */
export function parseAuditConfig(text: string, file: string): AuditConfig {
  if (text.length > MAX_CONFIG_FILE_BYTES) {
    throw configError(file, [
      { file, message: `the file is larger than the ${MAX_CONFIG_FILE_BYTES} bytes allowed` },
    ]);
  }
  const doc = parseYaml(text, file, {
    code: "invalid:config",
    label: "audit config",
    expected: "a mapping with roster and rotations",
  });
  if (!isPlainMapping(doc.value)) {
    throw configError(file, [
      {
        file,
        ...doc.locate([]),
        message: `expected a mapping with roster and rotations, got ${describeValue(doc.value)}`,
      },
    ]);
  }
  const result = AuditConfigSchema.safeParse(doc.value, { reportInput: true });
  const details = [
    ...(result.success
      ? []
      : describeIssues(result.error.issues, { file, doc, base: [], schema: AuditConfigSchema })),
    ...crossCheck(doc, file),
  ];
  if (details.length > 0 || !result.success) throw configError(file, details);
  return result.data;
}

/**
 * Checks the schema cannot express. Runs on the raw document so they are reported together with schema
 * problems; anything of the wrong type is skipped here (the schema reports it).
 */
function crossCheck(doc: YamlDocument, file: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const add = (path: PathSegment[], message: string, onKey = false) => {
    const position = onKey ? doc.locateKey(path) : doc.locate(path);
    details.push({ file, path: formatPath(path), ...position, message });
  };
  const root = doc.value;
  const rotations = isPlainMapping(root) && Array.isArray(root.rotations) ? root.rotations : [];

  const firstById = new Map<string, number>();
  rotations.forEach((rotation: unknown, i) => {
    if (!isPlainMapping(rotation)) return;
    const base: PathSegment[] = ["rotations", i];
    if (typeof rotation.id === "string" && rotation.id.trim() !== "") {
      const id = rotation.id.trim().toLowerCase();
      const first = firstById.get(id);
      if (first === undefined) firstById.set(id, i);
      else {
        const where = doc.locate(["rotations", first, "id"]).line;
        add(
          [...base, "id"],
          `rotation id "${rotation.id.trim()}" is already used by rotations[${first}] (line ${where}); ids must be unique (compared ignoring case)`,
        );
      }
    }

    if (Array.isArray(rotation.schedules)) {
      const seen = new Map<string, number>();
      rotation.schedules.forEach((schedule: unknown, k) => {
        if (typeof schedule !== "string") return;
        const earlier = seen.get(schedule.trim());
        if (earlier === undefined) seen.set(schedule.trim(), k);
        else
          add(
            [...base, "schedules", k],
            `schedule ${schedule.trim()} is listed twice (also schedules[${earlier}])`,
          );
      });
    }

    const members = rotation.members;
    if (!isPlainMapping(members)) return;
    if (typeof members.field === "string" && members.field.trim() !== "") {
      const problem = dottedPathProblem(members.field);
      if (problem) add([...base, "members", "field"], problem);
    }
    if (isPlainMapping(members.where)) {
      for (const [key, value] of Object.entries(members.where)) {
        const keyPath = [...base, "members", "where", key];
        const problem = dottedPathProblem(key);
        if (problem) add(keyPath, problem, true);
        const values = Array.isArray(value) ? value : [value];
        values.forEach((v: unknown, k) => {
          if (typeof v === "string" && v.trim() === "") {
            add(
              Array.isArray(value) ? [...keyPath, k] : keyPath,
              "must not be empty (an empty value would match everyone)",
            );
          }
        });
      }
    }
  });
  return details;
}

/** Why a dotted roster path such as `pagerduty.rotations` is unusable, or null when it is fine. */
export function dottedPathProblem(path: string): string | null {
  const segments = path.trim().split(".");
  if (segments.some((s) => s.trim() === "")) {
    return `"${path}" has an empty segment; write a dotted path such as pagerduty.rotations`;
  }
  if (segments.some((s) => s !== s.trim())) return `"${path}" has spaces around a segment`;
  return null;
}
