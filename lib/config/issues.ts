import * as z from "zod";
import type { ErrorDetail } from "@/lib/errors";
import { describeValue, formatPath, isPlainMapping, type PathSegment, type YamlDocument } from "./yaml";

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  file: string;
  doc: YamlDocument;
  /** Path of the validated value inside the document, e.g. `[3]` for the fourth roster entry. */
  base: readonly PathSegment[];
  /** Roster entry label put on every detail. */
  entry?: string;
  /** The schema that produced the issues; used to suggest the key a typo meant. */
  schema?: z.ZodType;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  null: "nothing",
};

const toSegments = (path: readonly PropertyKey[]): PathSegment[] =>
  path.filter((p): p is PathSegment => typeof p === "string" || typeof p === "number");

/**
 * Turns zod issues into details a person can act on: the dotted path inside the validated value, the
 * line and column where that value is written, and a message that says what was expected and what was
 * found. A union that failed on every branch is reduced to the branch that came closest.
 */
export function describeIssues(issues: readonly Issue[], context: IssueContext): ErrorDetail[] {
  return withoutFollowUps(issues).flatMap((issue) => describeIssue(issue, toSegments(issue.path), context));
}

/**
 * zod may go on checking a value of the wrong type (`min(1)` on a list given for text); the type problem
 * is the one to report.
 */
function withoutFollowUps(issues: readonly Issue[]): Issue[] {
  const wrongType = new Set(
    issues.filter((i) => i.code === "invalid_type").map((i) => JSON.stringify(i.path)),
  );
  return issues.filter((i) => i.code === "invalid_type" || !wrongType.has(JSON.stringify(i.path)));
}

function describeIssue(issue: Issue, path: PathSegment[], context: IssueContext): ErrorDetail[] {
  const { file, doc, base, entry } = context;
  const at = (segments: PathSegment[], message: string, onKey = false): ErrorDetail => {
    const full = [...base, ...segments];
    const position = onKey ? doc.locateKey(full) : doc.locate(full);
    const formatted = formatPath(segments);
    return {
      file,
      ...(entry === undefined ? {} : { entry }),
      ...(formatted === "" ? {} : { path: formatted }),
      line: position.line,
      column: position.column,
      message,
    };
  };

  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return [at(path, `is required (${expected})`, true)];
      return [at(path, `expected ${expected}, got ${describeValue(issue.input)}`)];
    }
    case "unrecognized_keys": {
      const known = context.schema ? keysAtPath(context.schema, path) : [];
      return issue.keys.map((key) => {
        const suggestion = closestMatch(key, known);
        const hint = suggestion
          ? ` (did you mean \`${suggestion}\`?)`
          : known.length > 0
            ? `; allowed here: ${known.join(", ")}`
            : "";
        return at([...path, key], `unknown key \`${key}\`${hint}`, true);
      });
    }
    case "too_small": {
      if (issue.origin === "string" && Number(issue.minimum) <= 1) return [at(path, "must not be empty")];
      if (issue.origin === "array" && !/^Too small/.test(issue.message)) return [at(path, issue.message)];
      if (issue.origin === "array") {
        const n = Number(issue.minimum);
        return [at(path, `needs at least ${n} item${n === 1 ? "" : "s"}`)];
      }
      return [at(path, defaultMessage(issue.message, `must be at least ${String(issue.minimum)}`))];
    }
    case "too_big":
      return [at(path, defaultMessage(issue.message, `must be at most ${String(issue.maximum)}`))];
    case "invalid_format": {
      const got = typeof issue.input === "string" ? `, got ${describeValue(issue.input)}` : "";
      return [at(path, `${defaultMessage(issue.message, `is not a valid ${issue.format}`)}${got}`)];
    }
    case "invalid_union":
      return describeUnion(issue, path, context);
    default:
      return [at(path, issue.message)];
  }
}

/** zod's built-in messages start with a capital ("Invalid input…", "Too big…"); ours are lower case. */
function defaultMessage(message: string, fallback: string): string {
  return /^[A-Z]/.test(message) ? fallback : message;
}

/**
 * Picks the union branch that came closest: branches that rejected the value's type outright are out;
 * among the rest, the one with fewest issues wins. A tie, or every branch complaining about keys it does
 * not know (the value mixes branches), gives the union's own message, which says what the choices are.
 */
function describeUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: PathSegment[],
  context: IssueContext,
): ErrorDetail[] {
  const branches = issue.errors.filter(
    (branch) => !branch.some((i) => i.path.length === 0 && i.code === "invalid_type"),
  );
  const mixed = branches.every((branch) =>
    branch.some((i) => i.path.length === 0 && i.code === "unrecognized_keys"),
  );
  const fewest = Math.min(...branches.map((b) => b.length));
  const best = branches.filter((b) => b.length === fewest);
  const chosen = best[0];
  if (chosen && best.length === 1 && !mixed) {
    return withoutFollowUps(chosen).flatMap((inner) =>
      describeIssue(inner, [...path, ...toSegments(inner.path)], context),
    );
  }
  const message = issue.message === "Invalid input" ? "does not match any allowed form" : issue.message;
  const keys = isPlainMapping(issue.input) ? Object.keys(issue.input) : [];
  const text =
    issue.input === undefined
      ? `is required: ${message}`
      : keys.length > 0
        ? `${message}; found keys: ${keys.join(", ")}`
        : `${message}; got ${describeValue(issue.input)}`;
  return describeIssue({ code: "custom", path: [], message: text, input: issue.input }, path, context);
}

/** Keys an object schema allows at `path` (union branches merged); empty when it is not an object. */
export function keysAtPath(schema: unknown, path: readonly PathSegment[]): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, rest: readonly PathSegment[]): void => {
    if (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
      visit(node.unwrap(), rest);
    } else if (node instanceof z.ZodPipe) {
      visit(node.in, rest);
    } else if (node instanceof z.ZodUnion) {
      for (const option of node.options) visit(option, rest);
    } else if (node instanceof z.ZodArray) {
      if (typeof rest[0] === "number") visit(node.element, rest.slice(1));
    } else if (node instanceof z.ZodObject) {
      const [head, ...tail] = rest;
      const shape: Record<string, unknown> = node.shape;
      if (head === undefined) for (const key of Object.keys(shape)) found.add(key);
      else if (typeof head === "string" && Object.hasOwn(shape, head)) visit(shape[head], tail);
    }
  };
  visit(schema, path);
  return [...found];
}

/** The candidate within a small edit distance of `word` (case-insensitive), if exactly one is closest. */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  const target = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(target.length / 3)));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
