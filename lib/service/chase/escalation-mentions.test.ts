import { describe, expect, it } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import { escalationMentions } from "./post";

const ROSTER: RosterPerson[] = [
  {
    name: "Sofia Reyes",
    email: "sofia@example.com",
    title: "Support Operations Manager",
    gitlab: { username: "sreyes" },
  },
  {
    name: "Priya Desai",
    email: "priya@example.com",
    title: "Support Manager",
    gitlab: { username: "pdesai" },
  },
  {
    name: "Amara Okafor",
    email: "amara@example.com",
    reports_to: "Priya Desai",
    gitlab: { username: "aokafor" },
  },
];

describe("escalationMentions", () => {
  it("finds the manager through the person's key and the roster's reports_to, not the name stored on the item", () => {
    // The item was found under a manager who has since left; the roster now says Priya.
    const item = { personKey: "amara@example.com", managerName: "Former Manager" };
    expect(escalationMentions(item, ROSTER)).toEqual(["pdesai", "sreyes"]);
  });

  it("mentions only the Support Operations Manager for someone the roster does not hold", () => {
    const item = { personKey: "gone@example.com", managerName: "Priya Desai" };
    expect(escalationMentions(item, ROSTER)).toEqual(["sreyes"]);
  });
});
