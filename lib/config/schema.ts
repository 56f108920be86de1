import * as z from "zod";
import {
  calendarProblem,
  DEFAULT_DAY_END,
  DEFAULT_DAY_START,
  DEFAULT_WORKING_DAYS,
  isKnownZone,
  type WorkingTimeSettings,
} from "@/lib/workflow/working-time";

export const DEFAULT_PAGERDUTY_URL = "https://api.pagerduty.com";
/** Titles skipped by the audit when the config names none; compared case-insensitively. */
/** The audits project's issue template the audit issue is created from. */
export const DEFAULT_ISSUE_TEMPLATE = "Pagerduty";
export const DEFAULT_GITLAB_INSTANCE_URL = "https://gitlab.com";
export const DEFAULT_EXEMPT_TITLES = ["VP of Support", "Vice President of Support"];

/** An http(s) URL; `z.url()` alone also takes `ftp:` or `mailto:` addresses. */
export const HttpUrlSchema = z.url({
  protocol: /^https?$/,
  error: "expected an http(s) URL such as https://api.pagerduty.com",
});

const RosterSourceSchema = z.union(
  [
    z.strictObject({ path: z.string().trim().min(1) }),
    z.strictObject({
      gitlab: z.strictObject({
        project: z.union([z.string().trim().min(1), z.number().int().positive()], {
          error: "expected a project path (group/name) or a numeric project id",
        }),
        path: z.string().trim().min(1),
        ref: z.string().trim().min(1).default("main"),
        url: HttpUrlSchema.optional(),
      }),
    }),
  ],
  { error: "roster needs either `path` (a file or directory) or `gitlab` (project, path, ref)" },
);

const MatchValueSchema = z.union([z.string(), z.array(z.string()).min(1)], {
  error: "expected text or a list of text",
});

/**
 * Who belongs on a rotation: either roster entries whose list at `field` (a dotted path) contains the
 * rotation id, or entries matching every key of `where` (title: case-insensitive substring; other keys:
 * case-insensitive equality; a list: any of).
 */
export const MembershipRuleSchema = z.union(
  [
    z.strictObject({ field: z.string().trim().min(1) }),
    z.strictObject({
      where: z
        .record(z.string(), MatchValueSchema)
        .refine((w) => Object.keys(w).length > 0, "where needs at least one key"),
    }),
  ],
  {
    error:
      "members needs exactly one of `field` (a dotted path in the roster) or `where` (roster fields and values)",
  },
);

/**
 * Who owns a rotation's schedules: a roster person's email (kept as their person key, trimmed and
 * lower-cased) or GitLab username (kept without the `@`).
 */
export const ScheduleOwnerSchema = z
  .string()
  .trim()
  .regex(/^(?:@?[A-Za-z0-9_][A-Za-z0-9_.-]*|[^\s@]+@[^\s@]+\.[^\s@]+)$/, {
    error: "expected a roster person's email (ana@example.com) or GitLab username (@ana)",
  })
  .transform((owner) =>
    owner.includes("@", 1) ? owner.toLowerCase() : owner.replace(/^@/, "").toLowerCase(),
  );

export const RotationSchema = z.strictObject({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "rotation id may hold letters, digits, '-', '_' and '.'"),
  name: z.string().trim().min(1),
  schedules: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Z0-9]{2,32}$/, "a PagerDuty schedule ID looks like PBLAHV7"),
    )
    .min(1),
  /**
   * Who fixes what no colleague can on these schedules (someone not in the roster, a deleted user, a
   * schedule that does not exist); default: Support Operations. Must name a roster person.
   */
  owner: ScheduleOwnerSchema.optional(),
  members: MembershipRuleSchema,
});

/** Where "Export to issue" writes the audit: the audits project, its template, labels and assignee. */
export const IssueExportSchema = z.strictObject({
  url: HttpUrlSchema.default(DEFAULT_GITLAB_INSTANCE_URL),
  project: z.union([z.string().trim().min(1), z.number().int().positive()], {
    error: "expected a project path (group/name) or a numeric project id",
  }),
  template: z.string().trim().min(1).default(DEFAULT_ISSUE_TEMPLATE),
  labels: z.array(z.string().trim().min(1)).default([]),
  assignee: z
    .string()
    .trim()
    .regex(/^@?[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "expected a GitLab username such as jdoe")
    .transform((username) => username.replace(/^@/, ""))
    .optional(),
});

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date such as 2026-12-25");

/**
 * How the chase's timers count (lib/workflow/working-time.ts): over the recipient's working days in their
 * `tzdata_timezone` (`default_timezone` when the roster has none), or in plain calendar hours. `holidays`
 * lists days off by roster `region`; the key `all` applies to everyone.
 */
export const WorkingTimeSchema = z
  .strictObject({
    mode: z.enum(["working_days", "calendar_hours"]).default("working_days"),
    default_timezone: z
      .string()
      .trim()
      .refine(isKnownZone, "expected a tz database time zone such as Europe/London")
      .default("UTC"),
    working_days: z
      .array(z.enum(WEEKDAYS, { error: `expected days written ${WEEKDAYS.join(", ")}` }))
      .min(1, "at least one working day is needed")
      .default(WEEKDAYS.filter((_, i) => DEFAULT_WORKING_DAYS.includes((i + 1) as 1))),
    hours: z
      .string()
      .trim()
      .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, "expected working hours such as 09:00-17:00")
      .default(`${DEFAULT_DAY_START}-${DEFAULT_DAY_END}`),
    holidays: z.record(z.string().trim().min(1), z.array(IsoDateSchema)).default({}),
  })
  .superRefine((value, ctx) => {
    const [dayStart = "", dayEnd = ""] = value.hours.split("-");
    const problem = calendarProblem({
      mode: value.mode,
      zone: value.default_timezone,
      workingDays: value.working_days.map((day) => WEEKDAYS.indexOf(day) + 1),
      dayStart,
      dayEnd,
      holidays: Object.values(value.holidays).flat(),
    });
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * What the server does on its own besides the chase: open the period's audit on the first working day of
 * fiscal Q1 and Q3 and run it, and re-run an open audit every `rerun_every_hours` (0: never), so fixes are
 * confirmed without a click. Off unless configured.
 */
export const AutopilotConfigSchema = z.strictObject({
  open_audits: z.boolean().default(false),
  rerun_every_hours: z
    .number()
    .int("expected whole hours")
    .min(0)
    .max(24 * 31, "expected at most 744 hours (a month)")
    .default(0),
  /**
   * While an audit's autopilot is on: gentle reminders before the escalation, at these percentages of the
   * follow-up time after the ping (50: halfway); each posted once per ping, never once the escalation is due.
   */
  reminders: z
    .array(z.number().int("expected whole percentages").min(1).max(99, "expected percentages from 1 to 99"))
    .max(5, "at most five reminders")
    .default([50]),
});

/** Optional Slack behaviour besides the DM step (which needs only SLACK_BOT_TOKEN). */
export const SlackConfigSchema = z.strictObject({
  /** Also DM each person on Slack when they are pinged, pointing at the ping's comment. */
  dm_on_ping: z.boolean().default(false),
});

export const AuditConfigSchema = z.strictObject({
  roster: RosterSourceSchema,
  pagerduty: z
    .strictObject({
      url: HttpUrlSchema.default(DEFAULT_PAGERDUTY_URL),
      /** Requests per minute the client allows itself; PagerDuty's REST limit is 960 per token. */
      requests_per_minute: z.number().int().positive().max(100_000).default(900),
      concurrency: z.number().int().min(1).max(32).default(8),
      timeout_ms: z.number().int().min(100).max(300_000).default(15_000),
      /** Retries of a transient failure (timeout, 408, 429, 5xx, network) before the read counts as failed. */
      max_retries: z.number().int().min(0).max(10).default(5),
    })
    .default({
      url: DEFAULT_PAGERDUTY_URL,
      requests_per_minute: 900,
      concurrency: 8,
      timeout_ms: 15_000,
      max_retries: 5,
    }),
  exempt: z
    .strictObject({ titles: z.array(z.string().trim().min(1)) })
    .default({ titles: DEFAULT_EXEMPT_TITLES }),
  rotations: z.array(RotationSchema).min(1, "at least one rotation is needed"),
  /** Optional: without it the dashboard cannot export the audit to its GitLab issue. */
  gitlab: IssueExportSchema.optional(),
  /** How the chase's timers count; `workingTimeOf` gives the defaults when it is absent. */
  working_time: WorkingTimeSchema.optional(),
  /** Optional: scheduled audits and re-runs; off when absent. */
  autopilot: AutopilotConfigSchema.optional(),
  /** Optional: Slack besides the DM step; off when absent. */
  slack: SlackConfigSchema.optional(),
});

export type AuditConfig = z.infer<typeof AuditConfigSchema>;
export type IssueExportConfig = z.infer<typeof IssueExportSchema>;
export type Rotation = z.infer<typeof RotationSchema>;
export type WorkingTimeConfig = z.infer<typeof WorkingTimeSchema>;
export type AutopilotConfig = z.infer<typeof AutopilotConfigSchema>;

/** The config's working time for the workflow; working days Monday to Friday, 09:00-17:00 UTC when it has none. */
export function workingTimeOf(config: Pick<AuditConfig, "working_time">): WorkingTimeSettings {
  const section = config.working_time ?? WorkingTimeSchema.parse({});
  const [dayStart = "", dayEnd = ""] = section.hours.split("-");
  return {
    mode: section.mode,
    defaultZone: section.default_timezone,
    workingDays: section.working_days.map((day) => WEEKDAYS.indexOf(day) + 1),
    dayStart,
    dayEnd,
    holidays: section.holidays,
  };
}

export type MembershipRule = z.infer<typeof MembershipRuleSchema>;
export type RosterSource = z.infer<typeof RosterSourceSchema>;
