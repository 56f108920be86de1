import { describe, expect, it } from "vitest";
import type { RosterPerson } from "@/lib/roster/schema";
import { thrownAppError } from "@/lib/testing/errors";
import {
  PERMISSIONS,
  ROLES,
  assertCan,
  assertSignedIn,
  can,
  managerChainOf,
  matchRosterPerson,
  opsManagersOnGitLab,
  parseSessionUser,
  reportsOf,
  roleOf,
  type Permission,
  type PermissionTarget,
  type Role,
  type SessionUser,
} from "./roles";
import { TEST_ROSTER, rosterPerson, sessionUserOf } from "./testing";

describe("roleOf", () => {
  it.each([
    ["Olivia Grant", "ops_manager"],
    ["Omar Haddad", "ops"],
    ["Dana Whitfield", "manager"],
    ["Mia Chen", "manager"],
    ["Lee Park", "manager"],
    ["Sam Rivera", "member"],
    ["Ana Lima", "member"],
    ["Xavier Stone", "manager"],
  ] as const)("%s is %s", (name, role) => {
    expect(roleOf(rosterPerson(name), TEST_ROSTER)).toBe(role);
  });

  const titled = (title: string | null, name = "Pat Doe"): RosterPerson => ({
    name,
    email: "pat@example.com",
    title,
  });

  it.each([
    ["support operations MANAGER", "ops_manager"],
    ["Senior Support Operations Manager, EMEA", "ops_manager"],
    ["Support Operations Specialist", "ops"],
    ["Manager, Support Operations", "ops"],
    ["Support Engineering Manager", "member"],
    [null, "member"],
  ] as const)("title %j gives %s to someone with no reports", (title, role) => {
    expect(roleOf(titled(title), [titled(title)])).toBe(role);
  });

  it("finds reports_to ignoring case and spacing", () => {
    const report: RosterPerson = { name: "Kim Ng", email: "kim@example.com", reports_to: "  pat   DOE " };
    expect(roleOf(titled("Support Engineer"), [titled("Support Engineer"), report])).toBe("manager");
  });

  it("refuses a reports_to that names two people rather than make both managers", () => {
    const marcus: RosterPerson = { name: "Marcus Oyelaran", email: "marcus@example.com" };
    const impostor: RosterPerson = { name: "marcus  OYELARAN", email: "m.o@example.com" };
    const report: RosterPerson = {
      name: "Ines Duarte",
      email: "ines@example.com",
      reports_to: "Marcus Oyelaran",
    };
    const error = thrownAppError(() => roleOf(impostor, [marcus, report, impostor]));
    expect(error.code).toBe("invalid:roster");
    expect(error.message).toContain("Marcus Oyelaran");
  });

  it("ranks a Support Operations title above having reports", () => {
    expect(roleOf(rosterPerson("Olivia Grant"), TEST_ROSTER)).toBe("ops_manager");
    const report: RosterPerson = { name: "Kim Ng", email: "kim@example.com", reports_to: "Pat Doe" };
    expect(roleOf(titled("Support Operations Analyst"), [report])).toBe("ops");
  });
});

const keyOf = (name: string) => rosterPerson(name).email;

describe("opsManagersOnGitLab", () => {
  it("lists each Support Operations Manager with a GitLab username, without its @, in roster order", () => {
    const roster: RosterPerson[] = [
      ...TEST_ROSTER,
      { name: "Nia Cole", email: "nia@example.com", title: "Support Operations Manager", gitlab: null },
      {
        name: "Kai Ito",
        email: "kai@example.com",
        title: "Senior Support Operations Manager",
        gitlab: { username: "@kito" },
      },
    ];
    expect(opsManagersOnGitLab(roster)).toEqual([
      { username: "ogrant", person: "Olivia Grant" },
      { username: "kito", person: "Kai Ito" },
    ]);
    expect(opsManagersOnGitLab(TEST_ROSTER.filter((p) => p.name !== "Olivia Grant"))).toEqual([]);
  });
});

describe("reportsOf", () => {
  const names = (people: RosterPerson[]) => people.map((p) => p.name);

  it("lists direct and indirect reports of a person key, nearest first", () => {
    expect(names(reportsOf(keyOf("Mia Chen"), TEST_ROSTER))).toEqual(["Lee Park", "Sam Rivera"]);
    expect(names(reportsOf(keyOf("Dana Whitfield"), TEST_ROSTER))).toEqual([
      "Mia Chen",
      "Ana Lima",
      "Olivia Grant",
      "Lee Park",
      "Omar Haddad",
      "Sam Rivera",
    ]);
  });

  it("is empty for someone without reports or not in the roster", () => {
    expect(reportsOf(keyOf("Sam Rivera"), TEST_ROSTER)).toEqual([]);
    expect(reportsOf("nobody@example.com", TEST_ROSTER)).toEqual([]);
  });

  it("terminates on a reports_to cycle and never lists the manager among their reports", () => {
    expect(names(reportsOf(keyOf("Xavier Stone"), TEST_ROSTER))).toEqual(["Yara Bell"]);
    expect(names(reportsOf(keyOf("Yara Bell"), TEST_ROSTER))).toEqual(["Xavier Stone"]);
  });
});

describe("managerChainOf", () => {
  it("walks reports_to upwards by person key, nearest first", () => {
    expect(managerChainOf(keyOf("Sam Rivera"), TEST_ROSTER)).toEqual([
      "lee@example.com",
      "mia@example.com",
      "dana@example.com",
    ]);
    expect(managerChainOf(keyOf("Dana Whitfield"), TEST_ROSTER)).toEqual([]);
  });

  it("stops at a cycle and at a manager the roster does not hold (nobody can sign in as them)", () => {
    expect(managerChainOf(keyOf("Xavier Stone"), TEST_ROSTER)).toEqual(["yara@example.com"]);
    const roster: RosterPerson[] = [{ name: "Kim Ng", email: "Kim@Example.com", reports_to: "Former Boss" }];
    expect(managerChainOf("kim@example.com", roster)).toEqual([]);
    expect(managerChainOf("nobody@example.com", roster)).toEqual([]);
  });
});

describe("matchRosterPerson", () => {
  const matched = (roster: readonly RosterPerson[], login: Parameters<typeof matchRosterPerson>[1]) => {
    const match = matchRosterPerson(roster, login);
    return match.kind === "person" ? match.person.name : match.kind;
  };

  it.each([
    [{ gitlabUsername: "SRivera" }, "Sam Rivera"],
    [{ gitlabUsername: "@srivera" }, "Sam Rivera"],
    // Ana's entry pins no GitLab username: her email is how she is known.
    [{ gitlabUsername: "not-in-roster", email: "ANA@example.com" }, "Ana Lima"],
    [{ email: " ana@example.com " }, "Ana Lima"],
    // Sam's email is not his sign-in: his entry pins the username srivera.
    [{ gitlabUsername: "lpark", email: "sam@example.com" }, "Lee Park"],
  ])("%j is %s", (login, name) => {
    expect(matched(TEST_ROSTER, login)).toBe(name);
  });

  it.each([
    [{ gitlabUsername: "stranger", email: "stranger@example.com" }],
    [{}],
    [{ gitlabUsername: "" }],
    // An account whose profile email is that of someone whose entry pins another username.
    [{ gitlabUsername: "attacker", email: "olivia@example.com" }],
    [{ email: "mia@example.com" }],
  ])("%j matches nobody", (login) => {
    expect(matched(TEST_ROSTER, login)).toBe("none");
  });

  it("is ambiguous when the username matches one entry and the email another", () => {
    expect(matched(TEST_ROSTER, { gitlabUsername: "lpark", email: "ana@example.com" })).toBe("ambiguous");
    const twice: RosterPerson[] = [
      { name: "A", email: "a@example.com", gitlab: { username: "Sofia" } },
      { name: "B", email: "b@example.com", gitlab: { username: "sofia" } },
    ];
    expect(matched(twice, { gitlabUsername: "SOFIA" })).toBe("ambiguous");
  });
});

/**
 * The permission matrix. Each cell is three answers: with no target, for an item of one of the user's
 * (indirect) reports, and for an item of someone else. Y: allowed, N: refused.
 */
const MATRIX = `
  permission       ops_manager  ops  manager  member
  audit:run        YYY          YYY  NNN      NNN
  audit:open       YYY          YYY  NNN      NNN
  audit:export     YYY          YYY  NNN      NNN
  audit:sign_off   YYY          NNN  NNN      NNN
  audit:send_back  YYY          NNN  NNN      NNN
  audit:autopilot  YYY          YYY  NNN      NNN
  item:ping        YYY          YYY  NYN      NNN
  item:escalate    YYY          YYY  NYN      NNN
  item:record_dm   YYY          YYY  NYN      NNN
  item:resolve     YYY          YYY  NYN      NNN
  item:resolve_own NNN          NNN  NNN      NNN
  item:reopen      YYY          YYY  NYN      NNN
`;

/** Who plays each role, and whose items count as a report's and as someone else's for them. */
const ACTORS: Record<Role, { user: SessionUser; report: string; other: string }> = {
  ops_manager: { user: sessionUserOf("Olivia Grant"), report: "Omar Haddad", other: "Sam Rivera" },
  ops: { user: sessionUserOf("Omar Haddad"), report: "Sam Rivera", other: "Ana Lima" },
  manager: { user: sessionUserOf("Mia Chen"), report: "Sam Rivera", other: "Ana Lima" },
  // Sam has no reports; Ana's item stands in for one.
  member: { user: sessionUserOf("Sam Rivera"), report: "Ana Lima", other: "Mia Chen" },
};

function targetOf(name: string): PermissionTarget {
  const personKey = rosterPerson(name).email.toLowerCase();
  return { personKey, managerChain: managerChainOf(personKey, TEST_ROSTER) };
}

function parseMatrix(table: string) {
  const [header, ...rows] = table
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
  const roles = (header ?? []).slice(1) as Role[];
  return rows.flatMap(([permission, ...cells]) =>
    roles.map((role, i) => ({ permission: permission as Permission, role, cell: cells[i] ?? "" })),
  );
}

describe("can", () => {
  const cases = parseMatrix(MATRIX);

  it("covers every role and permission exactly once", () => {
    expect(cases).toHaveLength(ROLES.length * PERMISSIONS.length);
    const seen = new Set(cases.map((c) => `${c.role} ${c.permission}`));
    for (const role of ROLES)
      for (const permission of PERMISSIONS) expect(seen).toContain(`${role} ${permission}`);
    for (const c of cases) expect(c.cell).toMatch(/^[YN]{3}$/);
  });

  it.each(cases)("$role $permission: $cell", ({ role, permission, cell }) => {
    const { user, report, other } = ACTORS[role];
    expect(user.role).toBe(role);
    const answers = [
      can(user, permission),
      can(user, permission, targetOf(report)),
      can(user, permission, targetOf(other)),
    ];
    expect(answers.map((allowed) => (allowed ? "Y" : "N")).join("")).toBe(cell);
  });

  it("lets a manager act on an indirect report's item", () => {
    expect(can(sessionUserOf("Dana Whitfield"), "item:ping", targetOf("Sam Rivera"))).toBe(true);
  });

  it("finds the manager in the chain by person key, never by name", () => {
    const mia = sessionUserOf("Mia Chen");
    expect(can(mia, "item:resolve", { managerChain: ["lee@example.com", "mia@example.com"] })).toBe(true);
    // Someone else with Mia's name (a display name is no identity) manages nobody of hers.
    const namesake: SessionUser = { ...mia, email: "mia.c@example.com", personKey: "mia.c@example.com" };
    expect(can(namesake, "item:resolve", targetOf("Sam Rivera"))).toBe(false);
    expect(can(namesake, "item:resolve", { managerChain: ["Lee Park", "Mia Chen"] })).toBe(false);
  });

  it("does not let a manager act on their own item, even through a reports_to cycle", () => {
    const xavier = sessionUserOf("Xavier Stone");
    expect(can(xavier, "item:resolve", targetOf("Yara Bell"))).toBe(true);
    expect(
      can(xavier, "item:resolve", {
        personKey: xavier.personKey,
        managerChain: ["yara@example.com", "xavier@example.com"],
      }),
    ).toBe(false);
  });
});

describe("one's own finding", () => {
  // [who, permission, allowed on their own item]
  it.each([
    ["Olivia Grant", "item:resolve", false],
    ["Olivia Grant", "item:resolve_own", true],
    ["Olivia Grant", "item:reopen", true],
    ["Olivia Grant", "item:ping", true],
    ["Omar Haddad", "item:resolve", false],
    ["Omar Haddad", "item:resolve_own", false],
    ["Omar Haddad", "item:reopen", true],
    ["Omar Haddad", "item:ping", true],
    ["Mia Chen", "item:resolve", false],
    ["Mia Chen", "item:resolve_own", false],
    ["Mia Chen", "item:reopen", false],
    ["Sam Rivera", "item:resolve", false],
    ["Sam Rivera", "item:resolve_own", false],
    ["Sam Rivera", "item:reopen", false],
  ] as const)("%s, %s on their own item: %s", (name, permission, allowed) => {
    expect(can(sessionUserOf(name), permission, targetOf(name))).toBe(allowed);
  });

  it("compares the person key ignoring case", () => {
    const omar = sessionUserOf("Omar Haddad");
    expect(can(omar, "item:resolve", { personKey: "Omar@Example.com", managerChain: [] })).toBe(false);
  });

  it("says why, and points the Support Operations Manager to the override", () => {
    const ops = thrownAppError(() =>
      assertCan(sessionUserOf("Omar Haddad"), "item:resolve", targetOf("Omar Haddad")),
    );
    expect(ops.code).toBe("forbidden:role");
    expect(ops.message).toBe(
      "You may not change this item's state: nobody marks their own finding intentional or waives it.",
    );
    const opsManager = thrownAppError(() =>
      assertCan(sessionUserOf("Olivia Grant"), "item:resolve", targetOf("Olivia Grant")),
    );
    expect(opsManager.message).toBe(
      "You may not change this item's state: it is your own finding; resolve it as a recorded override.",
    );
    const elsewhere = thrownAppError(() =>
      assertCan(sessionUserOf("Olivia Grant"), "item:resolve_own", targetOf("Sam Rivera")),
    );
    expect(elsewhere.message).toContain(
      "an override is only for the Support Operations Manager's own findings",
    );
  });
});

describe("assertCan", () => {
  it("returns the user when allowed", () => {
    const omar = sessionUserOf("Omar Haddad");
    expect(assertCan(omar, "audit:run")).toBe(omar);
  });

  it("refuses nobody with unauthorized:session and a wrong role with forbidden:role", () => {
    expect(thrownAppError(() => assertCan(null, "audit:run")).code).toBe("unauthorized:session");
    expect(thrownAppError(() => assertSignedIn(null)).code).toBe("unauthorized:session");
    const refused = thrownAppError(() => assertCan(sessionUserOf("Omar Haddad"), "audit:sign_off"));
    expect(refused.code).toBe("forbidden:role");
    expect(refused.message).toBe("You may not sign off an audit: only a Support Operations Manager can.");
    const manager = thrownAppError(() =>
      assertCan(sessionUserOf("Mia Chen"), "item:ping", targetOf("Ana Lima")),
    );
    expect(manager.message).toContain("managers act only on their reports' items");
  });
});

describe("parseSessionUser", () => {
  it("accepts a session user and refuses anything else", () => {
    const sam = sessionUserOf("Sam Rivera");
    expect(parseSessionUser(sam)).toEqual(sam);
    expect(parseSessionUser({ ...sam, role: "admin" })).toBeNull();
    expect(parseSessionUser({ name: "Sam", email: "sam@example.com" })).toBeNull();
    expect(parseSessionUser(undefined)).toBeNull();
  });
});
