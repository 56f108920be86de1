/** How the demo and the e2e tests start the dashboard: its whole environment, nothing else leaking in. */

/** What a dashboard serving the demo org is given: the sandboxes, the demo's config, its own URL. */
export interface DemoAppSettings {
  /** The dashboard's own URL (`http://127.0.0.1:<port>`); next-auth and the demo sign-in check it. */
  appUrl: string;
  pagerdutyToken: string;
  gitlabToken: string;
  /** The sandbox Slack's bot token and Web API base; unset, the app has no Slack. */
  slack?: { token: string; apiUrl: string };
  configPath: string;
  dataDir: string;
  /** Signs the session cookies: instances given the same secret accept each other's sessions. */
  sessionSecret: string;
  /** Overrides the config's PagerDuty URL; unset, the config's is used. */
  pagerdutyUrl?: string;
  /** A Postgres URL; unset, the SQLite file in `dataDir`. */
  databaseUrl?: string;
}

/**
 * The whole environment of the demo's `next start` (scripts/demo.ts) and of the e2e tests' extra
 * instances: nothing else of the caller's environment leaks into the app.
 */
export function buildDemoAppEnv(settings: DemoAppSettings): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PD_TOKEN: settings.pagerdutyToken,
    GL_TOKEN: settings.gitlabToken,
    ...(settings.slack
      ? { SLACK_BOT_TOKEN: settings.slack.token, SLACK_API_URL: settings.slack.apiUrl }
      : {}),
    AUDIT_CONFIG: settings.configPath,
    AUDIT_DATA_DIR: settings.dataDir,
    AUDIT_DEMO_SIGN_IN: "1",
    NEXTAUTH_URL: settings.appUrl,
    NEXTAUTH_SECRET: settings.sessionSecret,
    ...(settings.pagerdutyUrl ? { PAGERDUTY_API_URL: settings.pagerdutyUrl } : {}),
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    // The e2e run turns the reply sweep off, so "Check replies" is what reads a reply it posts.
    ...(process.env.AUDIT_REPLY_SWEEP_MINUTES
      ? { AUDIT_REPLY_SWEEP_MINUTES: process.env.AUDIT_REPLY_SWEEP_MINUTES }
      : {}),
    // The e2e run has autopilot look every second, so a moved demo clock is acted on at once.
    ...(process.env.AUDIT_AUTOPILOT_TICK_SECONDS
      ? { AUDIT_AUTOPILOT_TICK_SECONDS: process.env.AUDIT_AUTOPILOT_TICK_SECONDS }
      : {}),
  };
}
