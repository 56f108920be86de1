import { managerChainOf, type PermissionTarget } from "@/lib/auth/roles";
import type { RosterPerson } from "@/lib/roster/schema";

/**
 * Whom an action on a person's items concerns, for the item permissions: the person's key and their
 * managers' keys, nearest first, as the current roster has them (a manager acts on their reports' items,
 * so a change of manager in the roster takes effect at once). Only the person key identifies: someone the
 * roster does not hold by that key (a PagerDuty-only account) has no managers, whatever name their items
 * carry, so only Support Operations may act.
 */
export function permissionTargetFor(personKey: string, roster: readonly RosterPerson[]): PermissionTarget {
  return { personKey, managerChain: managerChainOf(personKey, roster) };
}
