import type { PagerDutySnapshot, PdSchedule, PdUser } from "@/lib/audit/types";
import { SANDBOX_HTML_BASE } from "../pagerduty/server";
import type { PagerDutyState } from "../pagerduty/types";

/**
 * The snapshot a flawless read of `state` would give, built without HTTP. For benchmarks of the checker
 * alone at sizes PagerDuty's API could not page through (its offset limit is 10,000 records); the HTTP
 * path is measured separately.
 */
export function snapshotOfState(
  state: PagerDutyState,
  {
    scheduleIds,
    rosterUserIds,
    fetchedAt,
  }: { scheduleIds: readonly string[]; rosterUserIds: readonly string[]; fetchedAt: Date },
): PagerDutySnapshot {
  const deletedAt = new Map(state.users.map((u) => [u.id, u.deleted_at]));
  const nameOf = new Map(state.users.map((u) => [u.id, u.name]));
  const users: PdUser[] = state.users
    .filter((u) => u.deleted_at === null)
    .map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      deletedAt: null,
      invitationSent: u.invitation_sent,
      contactMethodCount: u.contact_methods.length,
      notificationRuleCount: u.notification_rules.length,
    }));
  const byId = new Map(state.schedules.map((s) => [s.id, s]));
  const schedules: PdSchedule[] = [];
  const missingScheduleIds: string[] = [];
  for (const id of new Set(scheduleIds)) {
    const schedule = byId.get(id);
    if (!schedule) {
      missingScheduleIds.push(id);
    } else if (schedule.kind === "v2") {
      schedules.push({
        id,
        name: schedule.name,
        kind: "v2",
        htmlUrl: `${SANDBOX_HTML_BASE}/schedules/${id}`,
        periods: schedule.layers.map((l) => ({
          id: l.id,
          name: l.name,
          start: l.start,
          end: l.end,
          members: l.user_ids.map((userId) => ({
            userId,
            name: nameOf.get(userId) ?? null,
            deletedAt: deletedAt.get(userId) ?? null,
          })),
        })),
      });
    } else {
      schedules.push({
        id,
        name: schedule.name,
        kind: "v3",
        htmlUrl: `${SANDBOX_HTML_BASE}/schedules/${id}`,
        periods: schedule.rotations.flatMap((r) =>
          r.events.map((e) => ({
            id: e.id,
            name: e.name,
            start: e.effective_since,
            end: e.effective_until,
            members: e.member_user_ids.flatMap((userId) =>
              userId ? [{ userId, name: null, deletedAt: null }] : [],
            ),
          })),
        ),
      });
    }
  }
  const live = new Set(users.map((u) => u.id));
  const referenced = [
    ...rosterUserIds,
    ...schedules.flatMap((s) => s.periods.flatMap((p) => p.members.map((m) => m.userId))),
  ];
  return {
    fetchedAt: fetchedAt.toISOString(),
    users,
    unknownUserIds: [...new Set(referenced.filter((id) => !live.has(id)))],
    schedules,
    missingScheduleIds,
    failures: [],
  };
}
