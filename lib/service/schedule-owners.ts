/**
 * The owners of the configured schedules, as the roster names them: whom a finding no colleague can fix is
 * shown with (lib/workflow/owners.ts). A rotation without `owner` is Support Operations'.
 */
import type { AuditConfig } from "@/lib/config/schema";
import { AppError } from "@/lib/errors";
import { personKeyOf } from "@/lib/roster/person-key";
import { normalizeUsername, type RosterPerson } from "@/lib/roster/schema";

/**
 * The name of each rotation's configured owner, by rotation id (rotations without one are absent). The
 * config's `owner` is a roster email (a person key) or a GitLab username. Throws AppError `invalid:config`
 * when it names nobody in the roster, before anything is read from PagerDuty.
 */
export function resolveScheduleOwners(
  config: AuditConfig,
  people: readonly RosterPerson[],
): Map<string, string> {
  const owners = new Map<string, string>();
  for (const rotation of config.rotations) {
    if (rotation.owner === undefined) continue;
    const owner = rotation.owner;
    const person = people.find(
      (p) => personKeyOf(p) === owner || normalizeUsername(p.gitlab?.username) === owner,
    );
    if (!person) {
      throw new AppError(
        "invalid:config",
        `Rotation ${rotation.id} names "${owner}" as the owner of its schedules, but nobody in the roster ` +
          "has that email or GitLab username.",
      );
    }
    owners.set(rotation.id, person.name);
  }
  return owners;
}
