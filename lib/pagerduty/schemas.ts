import * as z from "zod";

/**
 * PagerDuty's responses as far as the audit reads them. Objects are loose (PagerDuty adds fields all the
 * time); the fields we use are required, so a changed API fails loudly instead of producing findings.
 */

/**
 * Offset pagination fields of list responses. All optional in PagerDuty's OpenAPI (`Pagination`, and the v3
 * lists, which document no `total`); `fetchAllPages` copes without `more`.
 */
const PaginationFields = {
  more: z.boolean().optional(),
  total: z.number().int().nonnegative().nullable().optional(),
  offset: z.number().int().optional(),
  limit: z.number().int().optional(),
};

const ReferenceSchema = z.looseObject({ id: z.string().min(1) });

export const UserSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  email: z.string(),
  invitation_sent: z.boolean(),
  deleted_at: z.string().nullable().optional(),
  // Present because every user read asks for include[]=contact_methods&include[]=notification_rules;
  // a missing list must not read as "no contact methods".
  contact_methods: z.array(ReferenceSchema),
  notification_rules: z.array(ReferenceSchema),
});
export type User = z.infer<typeof UserSchema>;

export const UsersPageSchema = z.looseObject({ ...PaginationFields, users: z.array(UserSchema) });
export type UsersPage = z.infer<typeof UsersPageSchema>;

export const UserResponseSchema = z.looseObject({ user: UserSchema });
export type UserResponse = z.infer<typeof UserResponseSchema>;

export const UserReferenceSchema = z.looseObject({
  id: z.string().min(1),
  summary: z.string().nullable().optional(),
  deleted_at: z.string().nullable().optional(),
});
export type UserReference = z.infer<typeof UserReferenceSchema>;

export const ScheduleLayerSchema = z.looseObject({
  id: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  start: z.string(),
  end: z.string().nullable().optional(),
  users: z.array(z.looseObject({ user: UserReferenceSchema })),
});
export type ScheduleLayer = z.infer<typeof ScheduleLayerSchema>;

export const ScheduleSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  summary: z.string().nullable().optional(),
  html_url: z.string().nullable().optional(),
  schedule_layers: z.array(ScheduleLayerSchema),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ScheduleResponseSchema = z.looseObject({ schedule: ScheduleSchema });
export type ScheduleResponse = z.infer<typeof ScheduleResponseSchema>;

/** A slot of a v3 event. Unknown member kinds are refused: guessing who they page could invent findings. */
export const ShiftMemberSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("user_member"), user_id: z.string().min(1) }),
  z.looseObject({ type: z.literal("empty_member") }),
]);
export type ShiftMember = z.infer<typeof ShiftMemberSchema>;

export const V3EventSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  effective_since: z.string(),
  effective_until: z.string().nullable().optional(),
  assignment_strategy: z.looseObject({ members: z.array(ShiftMemberSchema) }),
});
export type V3Event = z.infer<typeof V3EventSchema>;

/**
 * `events` is optional in the OpenAPI's `Rotation` and absent from its examples of the rotation list. Absent
 * is not "no events": the snapshot reads them through the rotation's events endpoint (`[]` is none).
 */
export const V3RotationSchema = z.looseObject({
  id: z.string().min(1),
  events: z.array(V3EventSchema).optional(),
});
export type V3Rotation = z.infer<typeof V3RotationSchema>;

/**
 * `rotations` is optional too, and the OpenAPI example of GET /v3/schedules/{id} has none: absent is not
 * "no rotations", the snapshot lists them through GET /v3/schedules/{id}/rotations.
 */
export const V3ScheduleSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  html_url: z.string().nullable().optional(),
  rotations: z.array(V3RotationSchema).optional(),
});
export type V3Schedule = z.infer<typeof V3ScheduleSchema>;

export const V3ScheduleResponseSchema = z.looseObject({ schedule: V3ScheduleSchema });
export type V3ScheduleResponse = z.infer<typeof V3ScheduleResponseSchema>;

export const V3RotationsPageSchema = z.looseObject({
  ...PaginationFields,
  rotations: z.array(V3RotationSchema),
});
export type V3RotationsPage = z.infer<typeof V3RotationsPageSchema>;

export const V3EventsPageSchema = z.looseObject({ ...PaginationFields, events: z.array(V3EventSchema) });
export type V3EventsPage = z.infer<typeof V3EventsPageSchema>;

export const V3ScheduleReferenceSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
});
export type V3ScheduleReference = z.infer<typeof V3ScheduleReferenceSchema>;

export const V3SchedulesPageSchema = z.looseObject({
  ...PaginationFields,
  schedules: z.array(V3ScheduleReferenceSchema),
});
export type V3SchedulesPage = z.infer<typeof V3SchedulesPageSchema>;

/**
 * An error body, as PagerDuty's APIs and the layers in front of them send it: the v2 envelope
 * `{ error: { message, code, errors: [...] } }`, v3's `errors` as a field map (`{ "event.since": ["..."] }`,
 * OpenAPI `V3ErrorResponse`), `errors` as one string, `error` as a list (change events) or a string, and
 * `message`/`errors` at the top (events API). Only read to word error messages, so every part is optional
 * and a part of an unexpected type is dropped rather than failing the rest.
 */
export const ErrorBodySchema = z.looseObject({
  error: z.unknown().optional(),
  message: z.string().optional().catch(undefined),
  errors: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
