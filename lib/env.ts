import { z } from "zod";
import { HttpUrlSchema } from "@/lib/config/schema";
import { AppError, type ErrorDetail } from "@/lib/errors";

/** Empty variables (`PD_TOKEN=` in a .env file) count as unset. */
const unsetIfBlank = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

export const DEFAULT_GITLAB_URL = "https://gitlab.com";

const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

const REPLY_SWEEP_ERROR = "expected whole minutes from 0 (off) to 1440";
const WAIVER_MONTHS_ERROR = "expected whole months from 1 to 120";

const SecretSchema = z.preprocess(unsetIfBlank, z.string().trim().optional());

/**
 * The environment the app reads. Everything is optional here (a few variables have defaults): the code
 * that needs a value (the PagerDuty client needs PD_TOKEN, sign-in needs a provider) says so when it is
 * missing. Messages never echo values, which may be secrets.
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
  /** Secret that signs and encrypts session cookies (next-auth). next-auth refuses to run in production without it. */
  NEXTAUTH_SECRET: SecretSchema,
  /** The dashboard's public URL (next-auth builds callback URLs from it). */
  NEXTAUTH_URL: z.preprocess(unsetIfBlank, httpUrl("https://audit.example.com").optional()),
  /** GitLab instance used for sign-in; a self-managed instance's base URL. */
  GITLAB_URL: z.preprocess(unsetIfBlank, httpUrl("https://gitlab.example.com").default(DEFAULT_GITLAB_URL)),
  /** OAuth application ID and secret for GitLab sign-in (scope `read_user`). */
  GITLAB_CLIENT_ID: SecretSchema,
  GITLAB_CLIENT_SECRET: SecretSchema,
  /**
   * `1` adds a password-less "demo" sign-in as any roster person (demo and e2e only). The app refuses to
   * start with it in production.
   */
  AUDIT_DEMO_SIGN_IN: z.preprocess(
    unsetIfBlank,
    z.enum(["0", "1"], { error: "expected 1 (on) or 0 (off)" }).optional(),
  ),
  /** Path of the audit config the dashboard reads (roster source, PagerDuty settings, rotations). */
  AUDIT_CONFIG: z.preprocess(unsetIfBlank, z.string().trim().default("audit.config.yaml")),
  /** Directory for the dashboard's own files (the SQLite database when DATABASE_URL is unset). */
  AUDIT_DATA_DIR: z.preprocess(unsetIfBlank, z.string().trim().default("./data")),
  /**
   * Minutes between two reads of the replies on every open audit's issue, so a reply stops its follow-up
   * clock without anyone clicking "Check replies". Unset: 5 (lib/server/reply-sweep.ts); 0 turns it off.
   */
  AUDIT_REPLY_SWEEP_MINUTES: z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: REPLY_SWEEP_ERROR })
      .int({ error: REPLY_SWEEP_ERROR })
      .min(0, { error: REPLY_SWEEP_ERROR })
      .max(24 * 60, { error: REPLY_SWEEP_ERROR })
      .optional(),
  ),
  /**
   * How far ahead a waiver may end, in months from the day it is given. Unset: 12
   * (`DEFAULT_WORKFLOW_SETTINGS.maxWaiverMonths`).
   */
  AUDIT_MAX_WAIVER_MONTHS: z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: WAIVER_MONTHS_ERROR })
      .int({ error: WAIVER_MONTHS_ERROR })
      .min(1, { error: WAIVER_MONTHS_ERROR })
      .max(120, { error: WAIVER_MONTHS_ERROR })
      .optional(),
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

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether the password-less demo sign-in (and the demo clock) may be on. A built Next app always runs with
 * NODE_ENV=production, so "production" here means: a production build served anywhere but loopback. The
 * demo and the e2e tests run the built app on 127.0.0.1; a real deployment has a public NEXTAUTH_URL.
 */
export function isDemoModeAllowed(env: Pick<Env, "NODE_ENV" | "NEXTAUTH_URL">): boolean {
  if (env.NODE_ENV !== "production") return true;
  if (!env.NEXTAUTH_URL) return false;
  return LOOPBACK_HOSTS.has(new URL(env.NEXTAUTH_URL).hostname);
}

/** The demo sign-in is asked for and allowed (see `isDemoModeAllowed`). */
export function isDemoMode(env: Pick<Env, "AUDIT_DEMO_SIGN_IN" | "NODE_ENV" | "NEXTAUTH_URL">): boolean {
  return env.AUDIT_DEMO_SIGN_IN === "1" && isDemoModeAllowed(env);
}
