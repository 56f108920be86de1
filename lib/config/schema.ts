import { z } from "zod";

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
});

export type AuditConfig = z.infer<typeof AuditConfigSchema>;
export type IssueExportConfig = z.infer<typeof IssueExportSchema>;
export type Rotation = z.infer<typeof RotationSchema>;
export type MembershipRule = z.infer<typeof MembershipRuleSchema>;
export type RosterSource = z.infer<typeof RosterSourceSchema>;
