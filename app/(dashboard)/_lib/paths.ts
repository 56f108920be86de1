/** The dashboard's URLs, built in one place (safe for server and client code). */

import type { Role } from "@/lib/auth/roles";

export function auditPath(auditId: string): string {
  return `/audits/${encodeURIComponent(auditId)}`;
}

/** The Findings page, with an optional `?…` search string. */
export function findingsPath(auditId: string, search = ""): string {
  return `${auditPath(auditId)}/findings${search}`;
}

/** The Schedules page, with an optional `?…` search string. */
export function schedulesPath(auditId: string, search = ""): string {
  return `${auditPath(auditId)}/schedules${search}`;
}

export function personPath(auditId: string, personKey: string): string {
  return `${auditPath(auditId)}/people/${encodeURIComponent(personKey)}`;
}

export function signOffPath(auditId: string): string {
  return `${auditPath(auditId)}/sign-off`;
}

/** An audit's whole activity, newest first, with an optional `?…` search string (the page). */
export function activityPath(auditId: string, search = ""): string {
  return `${auditPath(auditId)}/activity${search}`;
}

/** The signed-in person's own findings in the current audit. */
export const YOUR_FINDINGS_PATH = "/me";

/** The findings of the signed-in manager's reports in the current audit. */
export const YOUR_TEAM_PATH = "/team";

/** The first links of the main navigation: each role's own page(s); the overview for Support Operations. */
export function homeLinksFor(role: Role): { key: "overview" | "team" | "me"; label: string; href: string }[] {
  const yours = { key: "me", label: "Your findings", href: YOUR_FINDINGS_PATH } as const;
  switch (role) {
    case "ops_manager":
    case "ops":
      return [{ key: "overview", label: "Overview", href: "/" }];
    case "manager":
      return [{ key: "team", label: "Your team", href: YOUR_TEAM_PATH }, yours];
    case "member":
      return [yours];
  }
}

/**
 * Where someone lands from `/`: a team member on their own findings, a manager on their team's; Support
 * Operations stay on the overview (null). The first of `homeLinksFor`, so the navigation agrees.
 */
export function landingPathFor(role: Role): string | null {
  const [first] = homeLinksFor(role);
  return first && first.href !== "/" ? first.href : null;
}
