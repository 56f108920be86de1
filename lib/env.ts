import { z } from "zod";
import { HttpUrlSchema } from "@/lib/config/schema";
import { AppError, type ErrorDetail } from "@/lib/errors";

/** Empty variables (`PD_TOKEN=` in a .env file) count as unset. */
const unsetIfBlank = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const SecretSchema = z.preprocess(unsetIfBlank, z.string().trim().optional());

/**
 * The environment the app reads. Everything is optional here: the command that needs a value (the
 * PagerDuty client needs PD_TOKEN) says so when it is missing. Messages never echo values, which may be
 * secrets.
 */
export const EnvSchema = z.object({
  /** PagerDuty REST API token. */
  PD_TOKEN: SecretSchema,
  /** GitLab token, for a roster read from GitLab. */
  GL_TOKEN: SecretSchema,
  /** Overrides the config's `pagerduty.url` (the sandbox, a proxy). */
  PAGERDUTY_API_URL: z.preprocess(unsetIfBlank, HttpUrlSchema.optional()),
  DATABASE_URL: z.preprocess(
    unsetIfBlank,
    z.url({ error: "expected a URL such as postgres://user:password@host:5432/audit" }).optional(),
  ),
  NODE_ENV: z.preprocess(
    unsetIfBlank,
    z
      .enum(["development", "production", "test"], { error: "expected development, production or test" })
      .optional(),
  ),
});

export type Env = Readonly<z.infer<typeof EnvSchema>>;

/** Validates an environment record (pure; for tests and for `getEnv`). Throws AppError `invalid:environment`. */
export function readEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const details: ErrorDetail[] = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
    const names = details.map((d) => d.path).join(", ");
    throw new AppError(
      "invalid:environment",
      `Invalid environment variable${details.length === 1 ? "" : "s"}: ${names}.`,
      {
        details,
      },
    );
  }
  return Object.freeze(result.data);
}

let cached: Env | undefined;

/** The process environment, read and validated on first use; the only reader of `process.env`. */
export function getEnv(): Env {
  cached ??= readEnv(process.env);
  return cached;
}
