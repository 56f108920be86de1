import { readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { AppError } from "@/lib/errors";

/** What the loaders read, for error codes and messages. */
export interface ReadSubject {
  /** `roster`, `config`: error codes become `not_found:<subject>` and `invalid:<subject>`. */
  subject: string;
  /** Shown to the user: "roster file", "audit config". */
  label: string;
}

function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}

/** Turns a file-system error into an AppError that names the path; never rethrows a raw error. */
export function fileSystemError(error: unknown, path: string, what: ReadSubject): AppError {
  const errno = errnoCode(error);
  if (errno === "ENOENT" || errno === "ENOTDIR") {
    return new AppError(`not_found:${what.subject}`, `The ${what.label} ${path} does not exist.`, {
      details: [{ file: path, message: "no such file or directory" }],
      cause: error,
    });
  }
  const reason =
    errno === "EACCES" || errno === "EPERM"
      ? "permission denied"
      : errno === "EISDIR"
        ? "it is a directory, not a file"
        : `${errno ?? "error"}: ${error instanceof Error ? error.message : String(error)}`;
  return new AppError(`invalid:${what.subject}`, `Cannot read the ${what.label} ${path}.`, {
    details: [{ file: path, message: reason }],
    cause: error,
  });
}

/** `stat` that reports a missing or unreadable path as an AppError. */
export async function statPath(path: string, what: ReadSubject): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw fileSystemError(error, path, what);
  }
}

export function tooLargeError(path: string, size: number, maxBytes: number, what: ReadSubject): AppError {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return new AppError(`invalid:${what.subject}`, `The ${what.label} ${path} is too large.`, {
    details: [{ file: path, message: `the file is ${mib(size)}; at most ${mib(maxBytes)} is read` }],
  });
}

/**
 * Reads a regular file of at most `maxBytes`, checked with `stat` before reading (so an oversized file is
 * never loaded) and again after (it may have grown in between).
 */
export async function readCappedFile(path: string, maxBytes: number, what: ReadSubject): Promise<Uint8Array> {
  const info = await statPath(path, what);
  if (info.isDirectory())
    throw fileSystemError(Object.assign(new Error(path), { code: "EISDIR" }), path, what);
  if (!info.isFile()) {
    throw new AppError(`invalid:${what.subject}`, `Cannot read the ${what.label} ${path}.`, {
      details: [{ file: path, message: "not a regular file" }],
    });
  }
  if (info.size > maxBytes) throw tooLargeError(path, info.size, maxBytes, what);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileSystemError(error, path, what);
  }
  if (bytes.byteLength > maxBytes) throw tooLargeError(path, bytes.byteLength, maxBytes, what);
  return bytes;
}
