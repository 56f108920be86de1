import * as z from "zod";
import { HttpUrlSchema } from "@/lib/config/schema";
import { AppError, type ErrorDetail } from "@/lib/errors";

/** Empty variables (`PD_TOKEN=` in a .env file) count as unset. */
const unsetIfBlank = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

export const DEFAULT_GITLAB_URL = "https://gitlab.com";

const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

/** An optional whole number from `min` to `max`; `error` says which, in the variable's own units. */
const wholeNumber = (min: number, max: number, error: string) =>
  z.preprocess(
    unsetIfBlank,
    z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional(),
  );

const SecretSchema = z.preprocess(unsetIfBlank, z.string().trim().optional());

const ALLOWED_HOSTS_ERROR =
  "expected host names with an optional :port, separated by commas, such as audit.corp.example,10.0.0.5:3000";

/**
 * `host[:port]` as the `Host` header carries it, lowercased (and punycoded), without the default port of
 * `protocol`; null when it is not one.
 */
export function normalizeHost(text: string, protocol = "http:"): string | null {
  if (text === "" || /[\s/?#@\\]/.test(text)) return null;
  try {
    const url = new URL(`${protocol}//${text}`);
    return url.pathname === "/" && !url.search && !url.hash ? url.host : null;
  } catch {
    return null;
  }
}

/** A comma-separated list of `host[:port]`, normalised; any entry that is not one fails the whole list. */
const HostListSchema = z.string().transform((text, ctx) => {
  const hosts = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => normalizeHost(entry));
  if (hosts.length === 0 || hosts.some((host) => host === null)) {
    ctx.addIssue({ code: "custom", message: ALLOWED_HOSTS_ERROR });
    return z.NEVER;
  }
  return hosts.filter((host): host is string => host !== null);
});

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
  /**
   * Bot token (`xoxb-…`) of the Slack app the chase DMs people with. Scopes: `chat:write`, `im:write`,
   * `im:history`, `users:read`, `users:read.email`. Unset: no Slack.
   */
  SLACK_BOT_TOKEN: SecretSchema,
  /** Slack's Web API base; default https://slack.com/api/ (the sandbox, a proxy). */
  SLACK_API_URL: z.preprocess(unsetIfBlank, httpUrl("https://slack.com/api/").optional()),
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
  /**
   * Other names (`host[:port]`, comma-separated) the dashboard answers to besides NEXTAUTH_URL's host: an
   * internal name, or the address a reverse proxy puts in `Host`. Every other `Host` is refused in
   * production (proxy.ts), and a POST's `Origin` must be one of these names or NEXTAUTH_URL's.
   */
  AUDIT_ALLOWED_HOSTS: z.preprocess(unsetIfBlank, HostListSchema.optional()),
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
  AUDIT_REPLY_SWEEP_MINUTES: wholeNumber(0, 24 * 60, "expected whole minutes from 0 (off) to 1440"),
  /**
   * Seconds between two looks at what autopilot has to do (the config's `autopilot`: scheduled audits and
   * re-runs). Unset: 60 (lib/server/start.ts); 0 turns it off for this instance.
   */
  AUDIT_AUTOPILOT_TICK_SECONDS: wholeNumber(0, 3600, "expected whole seconds from 0 (off) to 3600"),
  /**
   * How far ahead a waiver may end, in months from the day it is given. Unset: 12
   * (`DEFAULT_WORKFLOW_SETTINGS.maxWaiverMonths`).
   */
  AUDIT_MAX_WAIVER_MONTHS: wholeNumber(1, 120, "expected whole months from 1 to 120"),
  NODE_ENV: z.preprocess(
    unsetIfBlank,
    z
      .enum(["development", "production", "test"], { error: "expected development, production or test" })
      .optional(),
  ),
});

/**
 * The environment, plus the one fact of the command line the app needs: `listenHostname`, the
 * `--hostname` the server was started with (`readListenHostname`). Never read from a variable.
 */
export type Env = Readonly<z.infer<typeof EnvSchema> & { listenHostname?: string }>;

/**
 * Validates an environment record and the server's command line (pure; for tests and for `getEnv`).
 * Throws AppError `invalid:environment`.
 */
export function readEnv(
  source: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): Env {
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
  const listenHostname = readListenHostname(argv);
  return Object.freeze(listenHostname === undefined ? result.data : { ...result.data, listenHostname });
}

/**
 * The interface `next start` / `next dev` was told to listen on (`--hostname X`, `--hostname=X`, `-H X`,
 * `-HX`; the last one wins, as for Next's own parser), lowercased. Undefined when the process is not Next's
 * CLI or no hostname was given: Next then listens on every interface. Next keeps the value to itself (its
 * `__NEXT_PRIVATE_ORIGIN` turns 0.0.0.0 into `localhost`, and `HOSTNAME` is Docker's container id), so the
 * command line is the only honest source.
 */
export function readListenHostname(argv: readonly string[]): string | undefined {
  const command = argv.findIndex(
    (arg, i) => /(^|[\\/])next$/.test(arg) && (argv[i + 1] === "start" || argv[i + 1] === "dev"),
  );
  if (command === -1) return undefined;
  let hostname: string | undefined;
  for (let i = command + 2; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--hostname" || arg === "-H") {
      const value = argv[i + 1];
      if (value !== undefined) hostname = value;
      i++;
    } else if (arg.startsWith("--hostname=")) {
      hostname = arg.slice("--hostname=".length);
    } else if (arg.startsWith("-H")) {
      hostname = arg.slice(2);
    }
  }
  return hostname?.toLowerCase() || undefined;
}

let cached: Env | undefined;

/** The process environment, read and validated on first use; the only reader of `process.env`. */
export function getEnv(): Env {
  cached ??= readEnv(process.env, process.argv);
  return cached;
}

const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `host[:port]` (or a bare IPv6 address) names this machine's loopback: localhost, 127.0.0.1 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const bareIpv6 = !host.startsWith("[") && host.indexOf(":") !== host.lastIndexOf(":");
  const normalized = normalizeHost(bareIpv6 ? `[${host}]` : host);
  return normalized !== null && LOOPBACK_HOSTNAMES.has(new URL(`http://${normalized}`).hostname);
}

/**
 * Whether the password-less demo sign-in (and the demo clock) may be on: only on a server nobody else can
 * reach. The server must listen on loopback only (`next start --hostname 127.0.0.1`; without `--hostname`
 * Next listens on every interface), and NEXTAUTH_URL, when set, must be a loopback URL; a production build
 * must have it set. NODE_ENV alone proves nothing: `NODE_ENV=development next start` is still a server.
 * The demo and the e2e tests run the built app on 127.0.0.1; the demo sign-in also checks each request's
 * `Host` (lib/auth/options.ts).
 */
export function isDemoModeAllowed(env: Pick<Env, "NODE_ENV" | "NEXTAUTH_URL" | "listenHostname">): boolean {
  if (env.listenHostname === undefined || !isLoopbackHost(env.listenHostname)) return false;
  if (env.NEXTAUTH_URL) return isLoopbackHost(new URL(env.NEXTAUTH_URL).host);
  return env.NODE_ENV !== "production";
}

/** The demo sign-in is asked for and allowed (see `isDemoModeAllowed`). */
export function isDemoMode(
  env: Pick<Env, "AUDIT_DEMO_SIGN_IN" | "NODE_ENV" | "NEXTAUTH_URL" | "listenHostname">,
): boolean {
  return env.AUDIT_DEMO_SIGN_IN === "1" && isDemoModeAllowed(env);
}

/**
 * The hosts (`host[:port]`, normalised by `normalizeHost` for NEXTAUTH_URL's scheme) the dashboard answers
 * to: NEXTAUTH_URL's and AUDIT_ALLOWED_HOSTS. Empty without NEXTAUTH_URL.
 */
export function publicHostsOf(env: Pick<Env, "NEXTAUTH_URL" | "AUDIT_ALLOWED_HOSTS">): string[] {
  if (!env.NEXTAUTH_URL) return [];
  const { host, protocol } = new URL(env.NEXTAUTH_URL);
  const allowed = (env.AUDIT_ALLOWED_HOSTS ?? []).map((name) => normalizeHost(name, protocol) ?? name);
  return [...new Set([host, ...allowed])];
}

/**
 * The origins the dashboard's own pages are served from: NEXTAUTH_URL's, and each AUDIT_ALLOWED_HOSTS name
 * with NEXTAUTH_URL's scheme. Empty without NEXTAUTH_URL.
 */
export function publicOriginsOf(env: Pick<Env, "NEXTAUTH_URL" | "AUDIT_ALLOWED_HOSTS">): string[] {
  if (!env.NEXTAUTH_URL) return [];
  const { protocol } = new URL(env.NEXTAUTH_URL);
  return [...new Set(publicHostsOf(env).map((host) => new URL(`${protocol}//${host}`).origin))];
}
