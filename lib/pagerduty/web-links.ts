/**
 * Links into PagerDuty's web app. The config holds only the REST API's URL (api.pagerduty.com for every
 * account), not the account's own site (acme.pagerduty.com): the site is learned from a link PagerDuty
 * itself sent, a schedule's `html_url`. Pure: no request, safe for server and client code.
 */

/** The web site (`https://acme.pagerduty.com`) of a link PagerDuty sent; null when it is absent or not http(s). */
export function pagerDutySiteOf(htmlUrl: string | null | undefined): string | null {
  if (!htmlUrl || !URL.canParse(htmlUrl)) return null;
  const url = new URL(htmlUrl);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
}

/** A user's page on the site (`https://acme.pagerduty.com/users/PABC123`). */
export function pagerDutyUserUrl(site: string, userId: string): string {
  return new URL(`/users/${encodeURIComponent(userId)}`, site).toString();
}

/** A schedule's page on the site (`https://acme.pagerduty.com/schedules/PSCHE01`). */
export function pagerDutyScheduleUrl(site: string, scheduleId: string): string {
  return new URL(`/schedules/${encodeURIComponent(scheduleId)}`, site).toString();
}
