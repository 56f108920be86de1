/** The dashboard's URLs, built in one place (safe for server and client code). */

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
