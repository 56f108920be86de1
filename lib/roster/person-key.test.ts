import { describe, expect, it } from "vitest";
import {
  isRosterPersonKey,
  isSameEmail,
  pagerDutyOnlyPersonKey,
  personKeyOf,
  personKeyOfEmail,
} from "./person-key";

describe("person key", () => {
  it.each([
    ["amara@example.com", "amara@example.com"],
    ["  Amara.Okafor@Example.COM ", "amara.okafor@example.com"],
    ["ÉLODIE@example.com", "élodie@example.com"],
  ])("of %j is %j", (email, key) => {
    expect(personKeyOfEmail(email)).toBe(key);
    expect(personKeyOf({ email })).toBe(key);
  });

  it("keys someone PagerDuty alone knows by their user, and tells the two kinds apart", () => {
    expect(pagerDutyOnlyPersonKey("PABC123")).toBe("pd:PABC123");
    expect(isRosterPersonKey(pagerDutyOnlyPersonKey("PABC123"))).toBe(false);
    expect(isRosterPersonKey(personKeyOfEmail("amara@example.com"))).toBe(true);
  });

  it.each([
    ["Amara@Example.com", " amara@example.com", true],
    ["amara@example.com", "amara@example.org", false],
    [null, "amara@example.com", false],
    [null, null, false],
  ])("%j and %j are the same person: %j", (a, b, same) => {
    expect(isSameEmail(a, b)).toBe(same);
  });
});
