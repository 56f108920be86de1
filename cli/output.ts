import { open, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";

const WHY: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown error";
}

/** Why a file cannot be written, from the system error: "permission denied (EACCES)". */
export function describeUnwritable(error: unknown): string {
  const code = codeOf(error);
  return WHY[code] ? `${WHY[code]} (${code})` : `the system refused it (${code})`;
}

/**
 * Refuses a report path that cannot be written, before an audit spends minutes on PagerDuty: a missing
 * directory, a directory, a path under a file, no permission, a read-only disk. An existing file is opened
 * for writing without truncating it; a new one is created and removed again, the one check that holds for
 * every reason a write can fail. Throws `invalid:output`.
 */
export async function checkReportPath(file: string): Promise<void> {
  const refuse = (why: string) =>
    new AppError("invalid:output", `Cannot write the report to ${file}: ${why}.`);
  const existing = await stat(file).catch((error: unknown) => {
    if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") return null;
    throw refuse(describeUnwritable(error));
  });
  if (existing?.isDirectory()) throw refuse("it is a directory");
  if (existing) {
    const handle = await open(file, "r+").catch((error: unknown) => {
      throw refuse(describeUnwritable(error));
    });
    await handle.close();
    return;
  }
  const directory = path.dirname(file);
  const parent = await stat(directory).catch((error: unknown) => {
    const code = codeOf(error);
    throw refuse(
      code === "ENOENT" || code === "ENOTDIR"
        ? `the directory ${directory} does not exist`
        : describeUnwritable(error),
    );
  });
  if (!parent.isDirectory()) throw refuse(`${directory} is not a directory`);
  const probe = await open(file, "wx").catch((error: unknown) => {
    // Created meanwhile by someone else: it exists, and the write will say whether it can be replaced.
    if (codeOf(error) === "EEXIST") return null;
    throw refuse(describeUnwritable(error));
  });
  if (probe) {
    await probe.close();
    await unlink(file);
  }
}
