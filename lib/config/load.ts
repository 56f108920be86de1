import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { MAX_CONFIG_FILE_BYTES, parseAuditConfig } from "./parse";
import { readCappedFile } from "./read-file";
import type { AuditConfig } from "./schema";
import { decodeUtf8 } from "./yaml";

export interface LoadAuditConfigOptions {
  /**
   * `PAGERDUTY_API_URL` when set: replaces `pagerduty.url`. Already checked where the environment is read
   * (lib/env), so nothing here reads or validates the environment.
   */
  pagerDutyApiUrl?: string;
}

/**
 * Reads, validates and resolves the audit config at `file` (at most MAX_CONFIG_FILE_BYTES, UTF-8).
 * Throws AppError: `not_found:config` when the file is missing, `invalid:config` listing every problem.
 */
export async function loadAuditConfig(
  file: string,
  options: LoadAuditConfigOptions = {},
): Promise<AuditConfig> {
  const what = { subject: "config", label: "audit config" };
  const bytes = await readCappedFile(file, MAX_CONFIG_FILE_BYTES, what);
  const text = decodeUtf8(bytes, file, { code: "invalid:config", label: "audit config" });
  return resolveAuditConfig(parseAuditConfig(text, file), { file, pagerDutyApiUrl: options.pagerDutyApiUrl });
}

/**
 * Applies what depends on where and how the config is used: `pagerDutyApiUrl` (PAGERDUTY_API_URL) replaces
 * `pagerduty.url`, and a relative `roster.path` is taken relative to the config file's directory (not
 * the working directory), so a config and its roster can move together. `~` is not expanded.
 */
export function resolveAuditConfig(
  config: AuditConfig,
  { file, pagerDutyApiUrl }: { file: string } & LoadAuditConfigOptions,
): AuditConfig {
  const url = pagerDutyApiUrl ?? config.pagerduty.url;
  const roster =
    "path" in config.roster && !isAbsolute(config.roster.path)
      ? { path: resolve(dirname(file), config.roster.path) }
      : config.roster;
  return { ...config, roster, pagerduty: { ...config.pagerduty, url } };
}

/**
 * `load`, read again only when `file` changed (its inode, size or modification time): the server reads
 * its config on every page (the chase's timers), and reading, parsing and validating it each time cost as
 * much as the findings page's data. An edited config still applies at the next request without a restart. A failure is
 * not kept: the next call reads again.
 */
export function loadedOncePerVersion<T>(file: string, load: () => Promise<T>): () => Promise<T> {
  let kept: { stamp: string; value: Promise<T> } | null = null;
  return async () => {
    // A synchronous stat: a few microseconds for a local file, where the promise one cost the server about
    // a tenth of a millisecond per call, several times a page (each read of the workflow's settings).
    const info = statOrNull(file);
    // Missing or unreadable: the loader says why, in its own words.
    if (!info) return load();
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (kept?.stamp === stamp) return kept.value;
    const value = load();
    const entry = { stamp, value };
    kept = entry;
    value.catch(() => {
      if (kept === entry) kept = null;
    });
    return value;
  };
}

/** The file's stat, or null when it cannot be read (missing, no permission). */
function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
