import type { Role } from "@/lib/auth/roles";

/** How a role reads on the page. */
export const ROLE_LABELS: Record<Role, string> = {
  ops_manager: "Support Operations Manager",
  ops: "Support Operations",
  manager: "Manager",
  member: "Team member",
};
