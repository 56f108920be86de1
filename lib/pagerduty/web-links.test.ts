import { describe, expect, it } from "vitest";
import { pagerDutyScheduleUrl, pagerDutySiteOf, pagerDutyUserUrl } from "./web-links";

describe("pagerDutySiteOf", () => {
  it.each([
    ["https://acme.pagerduty.com/schedules/PABC123", "https://acme.pagerduty.com"],
    ["https://acme.eu.pagerduty.com/schedules/v3/PABC123?x=1", "https://acme.eu.pagerduty.com"],
    ["http://127.0.0.1:4010/schedules/P1", "http://127.0.0.1:4010"],
    [null, null],
    [undefined, null],
    ["", null],
    ["not a url", null],
    ["javascript:alert(1)", null],
    ["mailto:ops@example.com", null],
  ])("%s → %s", (link, site) => {
    expect(pagerDutySiteOf(link)).toBe(site);
  });
});

describe("pagerDutyUserUrl", () => {
  it("puts the user's page at the root of the site, whatever path the site link had", () => {
    expect(pagerDutyUserUrl("https://acme.pagerduty.com", "PABC123")).toBe(
      "https://acme.pagerduty.com/users/PABC123",
    );
    expect(pagerDutyUserUrl("https://acme.pagerduty.com/schedules/P1", "PABC123")).toBe(
      "https://acme.pagerduty.com/users/PABC123",
    );
  });

  it("keeps an odd ID inside the path", () => {
    expect(pagerDutyUserUrl("https://acme.pagerduty.com", "P/../admin?x")).toBe(
      "https://acme.pagerduty.com/users/P%2F..%2Fadmin%3Fx",
    );
  });
});

describe("pagerDutyScheduleUrl", () => {
  it("puts the schedule's page at the root of the site, its ID kept inside the path", () => {
    expect(pagerDutyScheduleUrl("https://acme.pagerduty.com/users/P1", "PSCHE01")).toBe(
      "https://acme.pagerduty.com/schedules/PSCHE01",
    );
    expect(pagerDutyScheduleUrl("https://acme.pagerduty.com", "P?x=1")).toBe(
      "https://acme.pagerduty.com/schedules/P%3Fx%3D1",
    );
  });
});
