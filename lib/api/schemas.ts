/**
 * What the HTTP API accepts: route segments, query strings and JSON bodies, checked at the edge. Shapes and
 * bounds only; whether an action fits an item's state (and the wording of why not) is the workflow's.
 */
import * as z from "zod";
import { FINDING_CODES } from "@/lib/audit/types";
import type { Permission } from "@/lib/auth/roles";
import { PEOPLE_SORTS, SORT_DIRECTIONS, type PeopleQuery } from "@/lib/service/findings";
import {
  CHASE_NOTE_BOUNDS,
  CHASE_NOTE_MAX_LENGTH,
  ITEM_STATUSES,
  JUSTIFICATION_BOUNDS,
  JUSTIFICATION_MAX_LENGTH,
  JUSTIFICATION_MIN_LENGTH,
  type UserAction,
  type UserActionInput,
} from "@/lib/workflow/types";
import {
  BULK_CHASE_ACTIONS,
  CHASE_ACTIONS,
  CHASE_STEPS,
  POSTED_CHASE_ACTIONS,
  isPostedChaseAction,
  type ChaseAction,
  type PostedChaseAction,
} from "@/lib/workflow/chase";
import { isOverride } from "@/lib/workflow/rules";
import { writtenTextProblem } from "@/lib/workflow/visible-text";

/** A query value left empty (`?region=`) counts as not given, as a cleared filter sends it. */
const blankAsUnset = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const queryText = z.preprocess(blankAsUnset, z.string().trim().max(200).optional());

/** `[auditId]`. */
export const AuditParamsSchema = z.object({ auditId: z.string().min(1).max(200) });
export type AuditParams = z.infer<typeof AuditParamsSchema>;

/** `[auditId]/people/[personKey]`; Next has already decoded the segment (`%40` → `@`). */
export const PersonParamsSchema = AuditParamsSchema.extend({ personKey: z.string().min(1).max(400) });
export type PersonParams = z.infer<typeof PersonParamsSchema>;

/** The findings table's query string; numbers and booleans arrive as text. */
export const PeopleQuerySchema = z.object({
  status: z.preprocess(blankAsUnset, z.enum(ITEM_STATUSES).optional()),
  code: z.preprocess(blankAsUnset, z.enum(FINDING_CODES).optional()),
  region: queryText,
  manager: queryText,
  overdue: z.preprocess(
    blankAsUnset,
    z
      .enum(["true", "false"], { error: "expected true or false" })
      .transform((value) => value === "true")
      .optional(),
  ),
  q: queryText,
  sort: z.preprocess(blankAsUnset, z.enum(PEOPLE_SORTS).optional()),
  dir: z.preprocess(blankAsUnset, z.enum(SORT_DIRECTIONS).optional()),
  page: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(100_000).optional()),
  pageSize: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(200).optional()),
}) satisfies z.ZodType<PeopleQuery>;

/**
 * A written reason (justification, override reason, send-back comment), trimmed: at least 10 characters a
 * reader sees (zero-width characters and repeated blanks do not count), at most 2000 stored.
 */
const WrittenReasonSchema = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const problem = writtenTextProblem(text, JUSTIFICATION_BOUNDS);
    if (problem === null) return;
    ctx.addIssue({
      code: "custom",
      message:
        problem.problem === "too_long"
          ? `keep it to ${JUSTIFICATION_MAX_LENGTH} characters`
          : `write at least ${JUSTIFICATION_MIN_LENGTH} characters (${problem.length} so far; invisible characters and repeated spaces do not count)`,
    });
  });

/**
 * A personal note on a ping or an escalation, trimmed; blank is no note. Otherwise at least one character a
 * reader sees, at most 1000 stored.
 */
const ChaseNoteSchema = z.preprocess(
  blankAsUnset,
  z
    .string()
    .trim()
    .superRefine((text, ctx) => {
      const problem = writtenTextProblem(text, CHASE_NOTE_BOUNDS);
      if (problem === null) return;
      ctx.addIssue({
        code: "custom",
        message:
          problem.problem === "too_long"
            ? `keep it to ${CHASE_NOTE_MAX_LENGTH} characters`
            : "write something a reader sees, or leave the note empty (invisible characters do not count)",
      });
    })
    .optional(),
);

/** A chase step posted on the audit issue (ping, escalation), with an optional personal note. */
const PostedChaseActionSchema = z.strictObject({
  type: z.enum(POSTED_CHASE_ACTIONS as [PostedChaseAction, ...PostedChaseAction[]]),
  note: ChaseNoteSchema,
});

/** Marks the Support Operations Manager's resolution of their own finding as the override it is. */
const OverrideSchema = z.literal(true).optional();

/**
 * One user action; `waive.until` is a `YYYY-MM-DD` day (the workflow checks it is after today and within
 * the waiver limit). `override: true` only on a resolution: see `permissionForAction`.
 */
export const UserActionSchema = z.discriminatedUnion("type", [
  PostedChaseActionSchema,
  z.strictObject({
    type: z.enum(
      CHASE_ACTIONS.filter((action) => !isPostedChaseAction(action)) as [ChaseAction, ...ChaseAction[]],
    ),
  }),
  z.strictObject({
    type: z.literal("mark_intentional"),
    justification: WrittenReasonSchema,
    override: OverrideSchema,
  }),
  z.strictObject({
    type: z.literal("waive"),
    until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a day such as 2027-01-31"),
    justification: WrittenReasonSchema,
    override: OverrideSchema,
  }),
  z.strictObject({ type: z.literal("reopen") }),
]) satisfies z.ZodType<UserActionInput>;

/** `POST …/people/[personKey]/actions`: the action, on all the person's items it applies to or on these. */
export const PersonActionSchema = z.strictObject({
  action: UserActionSchema,
  itemIds: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
});
export type PersonAction = z.infer<typeof PersonActionSchema>;

/**
 * `POST …/people/[personKey]/actions/preview`: the body of the action it previews, for a step posted on the
 * audit issue.
 */
export const ChasePreviewSchema = z.strictObject({
  action: PostedChaseActionSchema,
  itemIds: PersonActionSchema.shape.itemIds,
});
export type ChasePreview = z.infer<typeof ChasePreviewSchema>;

/** `POST …/bulk`. */
export const BulkActionSchema = z.strictObject({ action: z.enum(BULK_CHASE_ACTIONS) });

/** `POST /api/demo/clock`: hours to move the clock forward. */
export const ClockAdvanceSchema = z.strictObject({
  hours: z.number().min(1, "at least 1 hour").max(1000, "at most 1000 hours"),
});

/**
 * The permission each user action needs. Marking intentional and waiving are `item:resolve` (never on one's
 * own finding); reopening is `item:reopen` (one's own included: it hides nothing).
 */
export const ACTION_PERMISSIONS: Record<UserAction, Permission> = {
  ...(Object.fromEntries(CHASE_STEPS.map((step) => [step.action, step.permission])) as Record<
    ChaseAction,
    Permission
  >),
  mark_intentional: "item:resolve",
  waive: "item:resolve",
  reopen: "item:reopen",
};

/**
 * The permission a user action asks for: `item:resolve_own` when it says it is an override (the Support
 * Operations Manager on their own finding, and nobody else), else `ACTION_PERMISSIONS`.
 */
export function permissionForAction(action: UserActionInput): Permission {
  return isOverride(action) ? "item:resolve_own" : ACTION_PERMISSIONS[action.type];
}

/** `POST /api/audits/[auditId]/sign-off`. */
export const SignOffSchema = z.strictObject({
  // Blank is the same as none (nothing to override); anything else is a written reason.
  overrideReason: z.preprocess(blankAsUnset, WrittenReasonSchema.optional()),
});

/** `POST /api/audits/[auditId]/send-back`. */
export const SendBackSchema = z.strictObject({ comment: WrittenReasonSchema });

/** `POST /api/audits/[auditId]/autopilot`. */
export const AutopilotSchema = z.strictObject({ on: z.boolean() });

/** `POST /api/audits/[auditId]/people/[personKey]/autopilot`. */
export const PersonAutopilotSchema = z.strictObject({ paused: z.boolean() });
