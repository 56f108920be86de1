/**
 * The one error type of the project. `code` is `kind:subject` (for example `invalid:roster`,
 * `upstream:pagerduty`, `not_found:schedule`); the kind decides the HTTP status and the CLI exit code in
 * one place, so callers never map errors themselves. `message` is safe to show to a user; `cause` is for
 * logs only.
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "upstream"
  | "internal";

export type ErrorCode = `${ErrorKind}:${string}`;

/** One concrete problem inside an input, pointing at where it is. */
export interface ErrorDetail {
  file?: string;
  /** Roster entry name, or `#index` when the entry has no usable name. */
  entry?: string;
  /** Dotted path inside the entry or document, e.g. `pagerduty.id`. */
  path?: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * Next bundles pages, route handlers and instrumentation separately, so one process can hold several copies
 * of this class; a plain `instanceof` would fail across them. The brand is shared through the symbol
 * registry, and `instanceof AppError` checks it.
 */
const APP_ERROR_BRAND = Symbol.for("pagerduty-audit.AppError");

export class AppError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && APP_ERROR_BRAND in value;
  }

  readonly [APP_ERROR_BRAND] = true;
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details ?? [];
  }

  get kind(): ErrorKind {
    return this.code.split(":")[0] as ErrorKind;
  }
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream: 502,
  internal: 500,
};

/** HTTP status for an error code's kind; anything that is not an AppError is a 500. */
export function statusForError(error: unknown): number {
  return error instanceof AppError ? STATUS_BY_KIND[error.kind] : 500;
}

/** Renders an error and its details as lines a person can act on: `file:line:column: entry: message`. */
export function formatErrorDetails(error: AppError): string {
  return [error.message, ...error.details.map((d) => `  ${formatDetail(d)}`)].join("\n");
}

/** One detail (or warning) as a line: `file:line:column: entry › path: message`. */
export function formatDetail(d: ErrorDetail): string {
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined]
    .filter((part) => part !== undefined)
    .join(":");
  const subject = [d.entry, d.path].filter(Boolean).join(" › ");
  return `${[where, subject].filter(Boolean).join(": ")}${where || subject ? ": " : ""}${d.message}`;
}
