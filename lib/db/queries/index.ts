/**
 * Every read and write of the audit database, one module per entity. The same Kysely queries run on SQLite
 * and Postgres. Callers decide (the workflow rules, the sign-off rules); these functions store the decision
 * atomically and refuse it with a `conflict:*` AppError when the stored data changed since the caller read it.
 */
export * from "@/lib/db/queries/audits";
export * from "@/lib/db/queries/autopilot-pauses";
export * from "@/lib/db/queries/chase-claims";
export * from "@/lib/db/queries/events";
export * from "@/lib/db/queries/issue-claims";
export * from "@/lib/db/queries/items";
export * from "@/lib/db/queries/progress";
export * from "@/lib/db/queries/replies";
export * from "@/lib/db/queries/runs";
export * from "@/lib/db/queries/scheduled-runs";
export * from "@/lib/db/queries/versions";
export type { Db } from "@/lib/db/queries/shared";
export type {
  Audit,
  AuditEvent,
  EventDetail,
  Item,
  ItemFinding,
  ItemStateChange,
  NewEvent,
  Run,
  RunProgress,
} from "@/lib/db/records";
