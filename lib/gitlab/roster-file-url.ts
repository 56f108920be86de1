import type { RosterLocation } from "@/lib/roster/schema";
import { rosterGitLabUrl, type RosterConfig } from "./roster-source";

/**
 * The page of a roster entry's file in GitLab, at the configured ref, opened at the entry's first line
 * (`#L12`; the line the parser located it on, so comments, blank lines and hand-made layouts above it are
 * counted as GitLab counts them). Null for a local roster, for a project given by its numeric id (GitLab's
 * file pages are addressed by path), and for an entry read from another file than the configured source.
 */
export function rosterFileUrl(config: RosterConfig, location: RosterLocation): string | null {
  const base = rosterGitLabUrl(config);
  if (base === null || !("gitlab" in config.roster)) return null;
  const { project, ref } = config.roster.gitlab;
  if (typeof project !== "string") return null;
  // The loader labels each file it read `gitlab:<project>@<ref>:<path>`.
  const prefix = `gitlab:${project}@${ref}:`;
  if (!location.file.startsWith(prefix)) return null;
  const path = location.file.slice(prefix.length).replace(/^\/+/, "");
  if (path === "") return null;
  const segments = (text: string) => text.split("/").filter(Boolean).map(encodeURIComponent).join("/");
  const url = `${base.replace(/\/+$/, "")}/${segments(project)}/-/blob/${segments(ref)}/${segments(path)}`;
  return location.line === null ? url : `${url}#L${location.line}`;
}
