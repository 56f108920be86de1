import { dirname, isAbsolute, resolve } from "node:path";
import { AppError } from "@/lib/errors";
import type { Env } from "@/lib/env";
import { MAX_CONFIG_FILE_BYTES, parseAuditConfig } from "./parse";
import { readCappedFile } from "./read-file";
import { HttpUrlSchema, type AuditConfig } from "./schema";
import { decodeUtf8 } from "./yaml";

export interface LoadAuditConfigOptions {
  /** The environment (from `getEnv()`); passed in so that nothing here reads `process.env`. */
  env: Pick<Env, "PAGERDUTY_API_URL">;
}

/**
 * Reads, validates and resolves the audit config at `file` (at most MAX_CONFIG_FILE_BYTES, UTF-8).
 * Throws AppError: `not_found:config` when the file is missing, `invalid:config` listing every problem,
 * `invalid:environment` when PAGERDUTY_API_URL is not an http(s) URL.
 */
export async function loadAuditConfig(file: string, options: LoadAuditConfigOptions): Promise<AuditConfig> {
  const what = { subject: "config", label: "audit config" };
  const bytes = await readCappedFile(file, MAX_CONFIG_FILE_BYTES, what);
  const text = decodeUtf8(bytes, file, { code: "invalid:config", label: "audit config" });
  return resolveAuditConfig(parseAuditConfig(text, file), { file, env: options.env });
}

/**
 * Applies what depends on where and how the config is used: `PAGERDUTY_API_URL` replaces
 * `pagerduty.url`, and a relative `roster.path` is taken relative to the config file's directory (not
 * the working directory), so a config and its roster can move together. `~` is not expanded.
 */
export function resolveAuditConfig(
  config: AuditConfig,
  { file, env }: { file: string; env: Pick<Env, "PAGERDUTY_API_URL"> },
): AuditConfig {
  let url = config.pagerduty.url;
  if (env.PAGERDUTY_API_URL !== undefined) {
    const parsed = HttpUrlSchema.safeParse(env.PAGERDUTY_API_URL);
    if (!parsed.success) {
      throw new AppError("invalid:environment", "PAGERDUTY_API_URL is not an http(s) URL.", {
        details: [
          { path: "PAGERDUTY_API_URL", message: "expected an http(s) URL such as https://api.pagerduty.com" },
        ],
      });
    }
    url = parsed.data;
  }
  const roster =
    "path" in config.roster && !isAbsolute(config.roster.path)
      ? { path: resolve(dirname(file), config.roster.path) }
      : config.roster;
  return { ...config, roster, pagerduty: { ...config.pagerduty, url } };
}
