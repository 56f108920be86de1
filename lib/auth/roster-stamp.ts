/**
 * A stamp of a roster kept on disk, so that re-reading it for sign-in and roles can be skipped while it is
 * unchanged: parsing and checking 10,000 entries took 1.3 s of CPU, once a minute, stalling every request
 * in the meantime.
 */
import type { Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * What the roster at `rosterPath` (a file, or a directory of files) is made of: each file's inode, size
 * and modification time, by name. It changes when a file is edited, replaced, added, removed or renamed
 * (every entry of a directory counts, not only the YAML files the loader reads: a change there costs one
 * needless read, never a missed one). Null when the path cannot be read: the loader says why.
 */
export async function rosterPathStamp(rosterPath: string): Promise<string | null> {
  try {
    const info = await stat(rosterPath);
    if (!info.isDirectory()) return stampOf(info);
    const names = (await readdir(rosterPath)).sort();
    const files = await Promise.all(
      names.map(async (name) => `${name} ${stampOf(await stat(path.join(rosterPath, name)))}`),
    );
    return [stampOf(info), ...files].join("\n");
  } catch {
    return null;
  }
}

function stampOf(info: Stats): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}
