/**
 * What the HTTP API accepts: route segments, query strings and JSON bodies, checked at the edge. Shapes and
 * bounds only; whether an action fits an item's state (and the wording of why not) is the workflow's.
 */
import { z } from "zod";
import { FINDING_CODES } from "@/lib/audit/types";
import type { Permission } from "@/lib/auth/roles";
import { PEOPLE_SORTS, type PeopleQuery } from "@/lib/service/people";
import {
  ITEM_STATUSES,
  JUSTIFICATION_MAX_LENGTH,
  JUSTIFICATION_MIN_LENGTH,
  type UserAction,
  type UserActionInput,
} from "@/lib/workflow/types";

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
  page: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(100_000).optional()),
  pageSize: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(200).optional()),
}) satisfies z.ZodType<PeopleQuery>;

const JustificationSchema = z
  .string()
  .trim()
  .min(JUSTIFICATION_MIN_LENGTH, `write at least ${JUSTIFICATION_MIN_LENGTH} characters`)
  .max(JUSTIFICATION_MAX_LENGTH, `keep it to ${JUSTIFICATION_MAX_LENGTH} characters`);

/** One user action; `waive.until` is a `YYYY-MM-DD` day (the workflow checks it is after today). */
export const UserActionSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ping") }),
  z.strictObject({ type: z.literal("escalate") }),
  z.strictObject({ type: z.literal("record_dm") }),
  z.strictObject({ type: z.literal("mark_intentional"), justification: JustificationSchema }),
  z.strictObject({
    type: z.literal("waive"),
    until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a day such as 2027-01-31"),
    justification: JustificationSchema,
  }),
  z.strictObject({ type: z.literal("reopen") }),
]) satisfies z.ZodType<UserActionInput>;

/** `POST …/people/[personKey]/actions`: the action, on all the person's items it applies to or on these. */
export const PersonActionSchema = z.strictObject({
  action: UserActionSchema,
  itemIds: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
});
export type PersonAction = z.infer<typeof PersonActionSchema>;

/** `POST …/bulk`. */
export const BulkActionSchema = z.strictObject({ action: z.enum(["ping", "escalate"]) });

/** `POST /api/demo/clock`: hours to move the clock forward. */
export const ClockAdvanceSchema = z.strictObject({
  hours: z.number().min(1, "at least 1 hour").max(1000, "at most 1000 hours"),
});

/** The permission each user action needs; marking intentional, waiving and reopening are `item:resolve`. */
export const ACTION_PERMISSIONS: Record<UserAction, Permission> = {
  ping: "item:ping",
  escalate: "item:escalate",
  record_dm: "item:record_dm",
  mark_intentional: "item:resolve",
  waive: "item:resolve",
  reopen: "item:resolve",
};

/** `POST /api/audits/[auditId]/sign-off`. */
export const SignOffSchema = z.strictObject({ overrideReason: z.string().max(2000).optional() });

/** `POST /api/audits/[auditId]/send-back`. */
export const SendBackSchema = z.strictObject({ comment: z.string().max(2000) });
