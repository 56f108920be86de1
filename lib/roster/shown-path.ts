import path from "node:path";

/**
 * A roster file's name as the dashboard shows it: relative to the server's working directory when the file
 * is under it (`data/roster/team.yaml`), else as given. The server's own layout is not the reader's business,
 * and a path relative to where the server runs is what its operator would type.
 */
export function shownPath(file: string, cwd: string = process.cwd()): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
