import { managerChainOf, personKeyOf, type PermissionTarget } from "@/lib/auth/roles";
import { listItems } from "@/lib/db/queries";
import type { RosterPerson } from "@/lib/roster/schema";
import type { AppContext } from "./context";

/**
 * Whom an action on a person's items concerns, for the item permissions: the person and their managers,
 * nearest first, as the current roster has them (a manager acts on their reports' items, so a change of
 * manager in the roster takes effect at once). The person is found in the roster by their key (the roster
 * email); someone the roster does not hold by that key (a PagerDuty-only account) is looked up by the name
 * their items carry. Unknown to both: no managers, so only Support Operations may act.
 */
export async function permissionTargetFor(
  ctx: AppContext,
  auditId: string,
  personKey: string,
  roster: readonly RosterPerson[],
): Promise<PermissionTarget> {
  const rosterPerson = roster.find((person) => personKeyOf(person) === personKey);
  const name = rosterPerson?.name ?? (await listItems(ctx.db, auditId, { personKey }))[0]?.personName ?? null;
  return { personKey, managerChain: name === null ? [] : managerChainOf(name, roster) };
}
