import type { Account, User } from "next-auth";
import type { AdapterUser } from "next-auth/adapters";
import type { JWT } from "next-auth/jwt";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import { describe, expect, it, vi } from "vitest";
import { readEnv } from "@/lib/env";
import type { RosterPerson } from "@/lib/roster/schema";
import { thrownAppError } from "@/lib/testing/errors";
import {
  DEMO_PROVIDER_ID,
  GITLAB_PROVIDER_ID,
  buildAuthOptions,
  userFromGitLabProfile,
  type AuthOptions,
  type AuthOptionsDeps,
} from "./options";
import { SIGN_IN_ERRORS } from "./sign-in-errors";
import { TEST_ROSTER } from "./testing";

const GITLAB_ENV = { GITLAB_CLIENT_ID: "app-id", GITLAB_CLIENT_SECRET: "app-secret", NEXTAUTH_SECRET: "s" };

/** `next start` as the demo and the e2e tests run it: listening on loopback only. */
const ON_LOOPBACK = [
  "/usr/bin/node",
  "/app/node_modules/next/dist/bin/next",
  "start",
  "--hostname",
  "127.0.0.1",
];

function build(
  env: Record<string, string> = GITLAB_ENV,
  getRoster: AuthOptionsDeps["getRoster"] = async () => TEST_ROSTER,
  logError: AuthOptionsDeps["logError"] = vi.fn(),
  argv: readonly string[] = ON_LOOPBACK,
): AuthOptions {
  return buildAuthOptions({ env: readEnv(env, argv), getRoster, logError });
}

/** Each provider's id and the options given to next-auth's helper (merged over its defaults at startup). */
function providersOf(options: AuthOptions) {
  return options.providers.map((provider) => {
    const given: { id?: string } = provider.options ?? {};
    return { type: provider.type, id: given.id ?? provider.id, given: provider.options };
  });
}

function demoAuthorize(options: AuthOptions): CredentialsConfig["authorize"] {
  const provider = options.providers.find((p) => p.type === "credentials");
  if (provider?.type !== "credentials") throw new Error("no demo provider");
  const given: Partial<CredentialsConfig> = provider.options;
  if (!given.authorize) throw new Error("the demo provider has no authorize");
  return given.authorize;
}

const GITLAB_ACCOUNT: Account = { provider: "gitlab", type: "oauth", providerAccountId: "42" };

function gitLabUser(username: string, email: string): User {
  return userFromGitLabProfile({ id: 42, username, name: "Someone", email, avatar_url: "" });
}

const ADAPTER_USER: AdapterUser = { id: "unused", email: "unused@example.com", emailVerified: null };

/** Sign-in, then the session a page would read, as next-auth calls the callbacks. */
async function signInAndReadSession(options: AuthOptions, user: User, account: Account = GITLAB_ACCOUNT) {
  const { callbacks } = options;
  expect(await callbacks.signIn({ user, account })).toBe(true);
  const token = await callbacks.jwt({
    token: { name: user.name, email: user.email, sub: user.id },
    user,
    account,
  });
  return { token, session: await readSession(options, token) };
}

async function readSession(options: AuthOptions, token: JWT) {
  const refreshed = await options.callbacks.jwt({ token, user: ADAPTER_USER, account: null });
  const session = await options.callbacks.session({
    session: { expires: "2030-01-01T00:00:00.000Z" },
    token: refreshed,
    user: ADAPTER_USER,
    newSession: undefined,
    trigger: "update",
  });
  return { token: refreshed, session };
}

describe("buildAuthOptions: providers", () => {
  it("offers GitLab only, without the demo flag", () => {
    expect(providersOf(build()).map((p) => p.id)).toEqual([GITLAB_PROVIDER_ID]);
    expect(providersOf(build({ ...GITLAB_ENV, AUDIT_DEMO_SIGN_IN: "0" })).map((p) => p.id)).toEqual([
      GITLAB_PROVIDER_ID,
    ]);
  });

  it("adds the demo credentials provider with AUDIT_DEMO_SIGN_IN=1 outside production", () => {
    for (const NODE_ENV of ["development", "test"]) {
      const providers = providersOf(build({ ...GITLAB_ENV, AUDIT_DEMO_SIGN_IN: "1", NODE_ENV }));
      expect(providers.map((p) => [p.id, p.type])).toEqual([
        [GITLAB_PROVIDER_ID, "oauth"],
        [DEMO_PROVIDER_ID, "credentials"],
      ]);
    }
    expect(providersOf(build({ AUDIT_DEMO_SIGN_IN: "1" })).map((p) => p.id)).toEqual([DEMO_PROVIDER_ID]);
  });

  it("refuses to start with the demo sign-in in production", () => {
    const error = thrownAppError(() =>
      build({ ...GITLAB_ENV, AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production" }),
    );
    expect(error.code).toBe("invalid:environment");
    expect(error.message).toContain("AUDIT_DEMO_SIGN_IN");
    expect(error.details).toEqual([expect.objectContaining({ path: "AUDIT_DEMO_SIGN_IN" })]);
    expect(providersOf(build({ ...GITLAB_ENV, NODE_ENV: "production" })).map((p) => p.id)).toEqual([
      GITLAB_PROVIDER_ID,
    ]);
    // A production build on loopback (the demo and the e2e tests) may offer it; a public URL may not.
    const loopback = { ...GITLAB_ENV, AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "production" };
    expect(
      providersOf(build({ ...loopback, NEXTAUTH_URL: "http://127.0.0.1:3100" })).map((p) => p.id),
    ).toContain(DEMO_PROVIDER_ID);
    expect(
      thrownAppError(() => build({ ...loopback, NEXTAUTH_URL: "https://audit.example.com" })).details,
    ).toEqual([expect.objectContaining({ path: "AUDIT_DEMO_SIGN_IN" })]);
  });

  it("refuses to start with the demo sign-in on a public URL or off loopback, whatever NODE_ENV says", () => {
    const demo = { ...GITLAB_ENV, AUDIT_DEMO_SIGN_IN: "1" };
    const next = (...options: string[]) => ["/usr/bin/node", "node_modules/.bin/next", "start", ...options];
    const refusals: [Record<string, string>, string[]][] = [
      // `next start` with NODE_ENV=development on a deployment's URL.
      [{ ...demo, NODE_ENV: "development", NEXTAUTH_URL: "https://audit.example.com" }, ON_LOOPBACK],
      // The Dockerfile's `--hostname 0.0.0.0` with a loopback NEXTAUTH_URL: reachable from any host.
      [
        { ...demo, NODE_ENV: "production", NEXTAUTH_URL: "http://127.0.0.1:3000" },
        next("--hostname", "0.0.0.0"),
      ],
      // No --hostname: every interface.
      [{ ...demo, NODE_ENV: "development" }, next()],
    ];
    for (const [env, argv] of refusals) {
      const error = thrownAppError(() => build(env, undefined, undefined, argv));
      expect(error.code).toBe("invalid:environment");
      expect(error.details).toEqual([expect.objectContaining({ path: "AUDIT_DEMO_SIGN_IN" })]);
    }
  });

  it("refuses a half-configured GitLab application and no sign-in method at all", () => {
    expect(thrownAppError(() => build({ GITLAB_CLIENT_ID: "app-id" })).details).toEqual([
      expect.objectContaining({ path: "GITLAB_CLIENT_SECRET" }),
    ]);
    const none = thrownAppError(() => build({}));
    expect(none.code).toBe("invalid:environment");
    expect(none.details[0]?.message).toContain("AUDIT_DEMO_SIGN_IN=1");
  });

  it("points GitLab at GITLAB_URL for a self-managed instance", () => {
    const [gitlab] = providersOf(build({ ...GITLAB_ENV, GITLAB_URL: "https://gitlab.corp.example/" }));
    expect(gitlab?.given).toMatchObject({
      clientId: "app-id",
      clientSecret: "app-secret",
      authorization: { url: "https://gitlab.corp.example/oauth/authorize", params: { scope: "read_user" } },
      token: "https://gitlab.corp.example/oauth/token",
      userinfo: "https://gitlab.corp.example/api/v4/user",
    });
    const [gitlabCom] = providersOf(build());
    expect(gitlabCom?.given).toMatchObject({ token: "https://gitlab.com/oauth/token" });
  });

  it("keeps the GitLab username from the profile", () => {
    expect(
      userFromGitLabProfile({
        id: 7,
        username: "srivera",
        name: "",
        email: "sam@example.com",
        avatar_url: "a.png",
      }),
    ).toEqual({
      id: "7",
      name: "srivera",
      email: "sam@example.com",
      image: "a.png",
      gitlabUsername: "srivera",
    });
  });

  it("uses JWT sessions and the secret", () => {
    const options = build();
    expect(options.session?.strategy).toBe("jwt");
    expect(options.secret).toBe("s");
    expect(options.pages?.error).toBe("/sign-in/error");
  });
});

describe("redirect callback", () => {
  const base = "https://audit.example.com";
  const redirect = (url: string) => build().callbacks.redirect({ url, baseUrl: base });

  // The rule itself is tabled in redirect.test.ts; here, that next-auth gets it as an absolute URL.
  it.each([
    ["/audits/3?tab=items#x", `${base}/audits/3?tab=items#x`],
    [`${base}/audits/3`, `${base}/audits/3`],
    ["https://evil.example/steal", `${base}/`],
    ["//evil.example/steal", `${base}/`],
    ["/\\evil.example", `${base}/`],
    ["/\t/evil.example", `${base}/`],
    ["/.//evil.example", `${base}/`],
    ["/audits\r\n\u2028\u0416", `${base}/audits%E2%80%A8%D0%96`],
    ["javascript:alert(document.cookie)", `${base}/`],
    ["JaVaScRiPt:alert(1)", `${base}/`],
    ["data:text/html,<script>alert(1)</script>", `${base}/`],
    ["http://audit.example.com/audits", `${base}/`],
    ["https://audit.example.com.evil.example/", `${base}/`],
    ["https://user:pass@audit.example.com/", `${base}/`],
    ["http://[not a url", `${base}/`],
  ])("%j → %s", async (url, expected) => {
    expect(await redirect(url)).toBe(expected);
  });
});

describe("signIn callback", () => {
  it("refuses someone not in the roster with a code the error page explains", async () => {
    const { callbacks } = build();
    await expect(
      callbacks.signIn({ user: gitLabUser("stranger", "stranger@example.com"), account: GITLAB_ACCOUNT }),
    ).rejects.toThrow(SIGN_IN_ERRORS.notInRoster);
  });

  it("admits a roster person by GitLab username, or by email when the username is unknown", async () => {
    const { callbacks } = build();
    expect(
      await callbacks.signIn({ user: gitLabUser("SRIVERA", "other@example.com"), account: GITLAB_ACCOUNT }),
    ).toBe(true);
    expect(
      await callbacks.signIn({ user: gitLabUser("ana-l", "ana@example.com"), account: GITLAB_ACCOUNT }),
    ).toBe(true);
  });

  it("refuses a GitLab account whose profile email is that of an entry pinning another username", async () => {
    const { callbacks } = build();
    // Anyone may put Olivia's address in their GitLab profile; her entry says she signs in as ogrant.
    await expect(
      callbacks.signIn({ user: gitLabUser("attacker", "olivia@example.com"), account: GITLAB_ACCOUNT }),
    ).rejects.toThrow(SIGN_IN_ERRORS.notInRoster);
    await expect(
      callbacks.jwt({
        token: {},
        user: gitLabUser("attacker", "OLIVIA@example.com"),
        account: GITLAB_ACCOUNT,
      }),
    ).rejects.toThrow(SIGN_IN_ERRORS.notInRoster);
  });

  it("refuses with AmbiguousRosterMatch when the username is one person's and the email another's", async () => {
    const { callbacks } = build();
    await expect(
      callbacks.signIn({ user: gitLabUser("lpark", "ana@example.com"), account: GITLAB_ACCOUNT }),
    ).rejects.toThrow(SIGN_IN_ERRORS.ambiguousMatch);
  });

  it("refuses with RosterUnavailable, logged, when the roster cannot be read", async () => {
    const logError = vi.fn();
    const failure = new Error("EACCES: support-team.yaml");
    const { callbacks } = build(GITLAB_ENV, () => Promise.reject(failure), logError);
    await expect(
      callbacks.signIn({ user: gitLabUser("srivera", "sam@example.com"), account: GITLAB_ACCOUNT }),
    ).rejects.toThrow(SIGN_IN_ERRORS.rosterUnavailable);
    expect(logError).toHaveBeenCalledWith(expect.any(String), failure);
  });
});

describe("jwt and session callbacks", () => {
  it("put the roster name and email, GitLab username, role and person key in the session", async () => {
    const { session } = await signInAndReadSession(build(), gitLabUser("mchen", "mia.personal@example.com"));
    expect(session.session.user).toEqual({
      name: "Mia Chen",
      email: "mia@example.com",
      gitlabUsername: "mchen",
      role: "manager",
      personKey: "mia@example.com",
    });
  });

  it("re-derives the role from the current roster on each read", async () => {
    let roster: readonly RosterPerson[] = TEST_ROSTER;
    const options = build(GITLAB_ENV, async () => roster);
    const { token } = await signInAndReadSession(options, gitLabUser("srivera", "sam@example.com"));

    roster = TEST_ROSTER.map((p) =>
      p.name === "Sam Rivera" ? { ...p, title: "Support Operations Specialist" } : p,
    );
    expect((await readSession(options, token)).session.user).toMatchObject({
      name: "Sam Rivera",
      role: "ops",
    });

    roster = TEST_ROSTER.filter((p) => p.name !== "Sam Rivera");
    const removed = await readSession(options, token);
    expect(removed.session.user).toBeUndefined();
    roster = TEST_ROSTER;
    expect((await readSession(options, removed.token)).session.user).toBeUndefined();
  });

  it("ends the session when its entry now pins another GitLab username, or its username another person", async () => {
    let roster: readonly RosterPerson[] = TEST_ROSTER;
    const options = build(GITLAB_ENV, async () => roster);
    const withSam = (change: Partial<RosterPerson>) =>
      TEST_ROSTER.map((p) => (p.name === "Sam Rivera" ? { ...p, ...change } : p));
    const { token } = await signInAndReadSession(options, gitLabUser("srivera", "sam@example.com"));

    // Sam's entry (his person key) now belongs to another GitLab account.
    roster = withSam({ gitlab: { username: "samuel-r" } });
    expect((await readSession(options, token)).session.user).toBeUndefined();

    // The username srivera now names another person key: the session does not become theirs.
    roster = withSam({ email: "samuel@example.com" });
    expect((await readSession(options, token)).session.user).toBeUndefined();
    roster = TEST_ROSTER.map((p) =>
      p.name === "Sam Rivera"
        ? { ...p, gitlab: null }
        : p.name === "Ana Lima"
          ? { ...p, gitlab: { username: "srivera" } }
          : p,
    );
    expect((await readSession(options, token)).session.user).toBeUndefined();

    roster = TEST_ROSTER;
    expect((await readSession(options, token)).session.user).toMatchObject({ personKey: "sam@example.com" });
  });

  it("ends an email sign-in's session once the entry pins a GitLab username that is not the account's", async () => {
    let roster: readonly RosterPerson[] = TEST_ROSTER;
    const options = build(GITLAB_ENV, async () => roster);
    const { token } = await signInAndReadSession(options, gitLabUser("ana-l", "ana@example.com"));
    roster = TEST_ROSTER.map((p) => (p.name === "Ana Lima" ? { ...p, gitlab: { username: "alima" } } : p));
    expect((await readSession(options, token)).session.user).toBeUndefined();
  });

  it("keeps the last known user when the roster cannot be read", async () => {
    let fail = false;
    const logError = vi.fn();
    const options = build(
      GITLAB_ENV,
      async () => {
        if (fail) throw new Error("roster unreadable");
        return TEST_ROSTER;
      },
      logError,
    );
    const { token } = await signInAndReadSession(options, gitLabUser("ogrant", "olivia@example.com"));
    fail = true;
    expect((await readSession(options, token)).session.user).toMatchObject({ role: "ops_manager" });
    expect(logError).toHaveBeenCalled();
  });

  it("gives no user for a token that does not carry one", async () => {
    const { session } = await readSession(build(), {
      name: "Forged",
      email: "forged@example.com",
      role: "ops_manager",
    });
    expect(session.user).toBeUndefined();
  });
});

describe("demo sign-in", () => {
  const options = build({ AUDIT_DEMO_SIGN_IN: "1", NODE_ENV: "test" });
  const authorize = demoAuthorize(options);
  const account: Account = { provider: DEMO_PROVIDER_ID, type: "credentials", providerAccountId: "x" };
  /** The request as next-auth hands it to `authorize`: only its headers matter here. */
  const LOCAL = { headers: { host: "127.0.0.1:3100", "x-forwarded-for": "127.0.0.1" } };

  it("signs in as the roster person chosen by GitLab username or email, with their role", async () => {
    const byUsername = await authorize({ person: " OHADDAD " }, LOCAL);
    expect(byUsername).toMatchObject({
      name: "Omar Haddad",
      email: "omar@example.com",
      gitlabUsername: "ohaddad",
    });
    if (!byUsername) throw new Error("expected a user");
    const { session } = await signInAndReadSession(options, byUsername, account);
    expect(session.session.user).toMatchObject({
      name: "Omar Haddad",
      role: "ops",
      gitlabUsername: "ohaddad",
    });

    const byEmail = await authorize({ person: "ana@example.com" }, LOCAL);
    if (!byEmail) throw new Error("expected a user");
    const ana = await signInAndReadSession(options, byEmail, account);
    expect(ana.session.session.user).toMatchObject({
      name: "Ana Lima",
      role: "member",
      gitlabUsername: null,
    });
  });

  it.each([
    [{ host: "192.0.2.10" }],
    [{ host: "192.0.2.10:3100" }],
    [{ host: "evil.test:3100" }],
    [{ host: "127.0.0.1.nip.io:3100" }],
    [{}],
    [{ host: "127.0.0.1:3100", "x-forwarded-host": "evil.test:3100" }],
    [{ host: "127.0.0.1:3100", "x-forwarded-host": "127.0.0.1:3100, evil.test" }],
    [{ host: "127.0.0.1:3100", "x-forwarded-for": "192.0.2.10" }],
    [{ host: "127.0.0.1:3100", "x-forwarded-for": "192.0.2.10, 127.0.0.1" }],
  ])("refuses a request that is not local: %j", async (headers) => {
    await expect(authorize({ person: "ohaddad" }, { headers })).rejects.toThrow(SIGN_IN_ERRORS.demoNotLocal);
  });

  it.each([
    [{ host: "127.0.0.1:3100" }],
    [{ host: "localhost:3000", "x-forwarded-host": "localhost:3000", "x-forwarded-for": "127.0.0.1" }],
    [{ host: "[::1]:3100", "x-forwarded-for": "::1" }],
    [{ host: "127.0.0.1:3100", "x-forwarded-for": "::ffff:127.0.0.1" }],
  ])("accepts a request to and from loopback: %j", async (headers) => {
    expect(await authorize({ person: "ohaddad" }, { headers })).toMatchObject({ name: "Omar Haddad" });
  });

  it("refuses someone not in the roster and an empty choice", async () => {
    await expect(authorize({ person: "mallory@example.com" }, LOCAL)).rejects.toThrow(
      SIGN_IN_ERRORS.notInRoster,
    );
    expect(await authorize({ person: "  " }, LOCAL)).toBeNull();
    expect(await authorize(undefined, LOCAL)).toBeNull();
  });
});
