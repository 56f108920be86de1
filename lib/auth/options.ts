/**
 * next-auth configuration: GitLab sign-in (gitlab.com or a self-managed instance), an optional
 * password-less demo sign-in, and the callbacks that tie a sign-in to a roster person and a role.
 * Built from the environment and a roster lookup passed in, so nothing here reads files or
 * `process.env`.
 */
import type { CallbacksOptions, NextAuthOptions, PagesOptions, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import GitLabProvider, { type GitLabProfile } from "next-auth/providers/gitlab";
import type { Provider } from "next-auth/providers/index";
import * as z from "zod";
import { isDemoModeAllowed, isLoopbackHost, type Env } from "@/lib/env";
import { AppError, type ErrorDetail } from "@/lib/errors";
import { personKeyOf, personKeyOfEmail } from "@/lib/roster/person-key";
import type { RosterPerson } from "@/lib/roster/schema";
import { safeRedirectPath } from "./redirect";
import {
  matchRosterPerson,
  parseSessionUser,
  toSessionUser,
  type RosterMatch,
  type SessionUser,
} from "./roles";
import { SIGN_IN_ERRORS } from "./sign-in-errors";

/** The current roster's people. Called on sign-in and on each session read; the caller caches. */
export type RosterLookup = () => Promise<readonly RosterPerson[]>;

export type AuthEnv = Pick<
  Env,
  | "NODE_ENV"
  | "NEXTAUTH_SECRET"
  | "GITLAB_URL"
  | "GITLAB_CLIENT_ID"
  | "GITLAB_CLIENT_SECRET"
  | "AUDIT_DEMO_SIGN_IN"
  | "NEXTAUTH_URL"
  | "listenHostname"
>;

export interface AuthOptionsDeps {
  env: AuthEnv;
  getRoster: RosterLookup;
  /** Custom next-auth pages; defaults to AUTH_PAGES. */
  pages?: Partial<PagesOptions>;
  /** Server-side log for failures that are not the user's doing (an unreadable roster). */
  logError?: (message: string, error: unknown) => void;
}

/** The app's sign-in error page renders `describeSignInError(searchParams.error)`. */
export const AUTH_PAGES: Partial<PagesOptions> = { error: "/sign-in/error" };

export const GITLAB_PROVIDER_ID = "gitlab";
export const DEMO_PROVIDER_ID = "demo";

/** A working day: a session outlives neither the day nor (see the jwt callback) the person's roster entry. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

type RequiredCallbacks = Pick<CallbacksOptions, "signIn" | "jwt" | "session" | "redirect">;

/** NextAuthOptions whose callbacks are always present (so tests and callers need no checks). */
export type AuthOptions = NextAuthOptions & { callbacks: RequiredCallbacks };

/** Who signed in, as the provider says; re-matched against the roster on every session read. */
const LoginSchema = z.object({
  gitlabUsername: z.string().nullable(),
  email: z.string().nullable(),
});
type Login = z.infer<typeof LoginSchema>;

/**
 * Builds the next-auth options. Throws AppError `invalid:environment` at startup when:
 * `AUDIT_DEMO_SIGN_IN=1` while `NODE_ENV=production` (the demo sign-in lets anyone be anyone);
 * only one of GITLAB_CLIENT_ID / GITLAB_CLIENT_SECRET is set; or no sign-in method is configured.
 */
export function buildAuthOptions(deps: AuthOptionsDeps): AuthOptions {
  const { env, getRoster } = deps;
  const logError = deps.logError ?? defaultLogError;
  /** The roster for a sign-in; when it cannot be read, the sign-in is refused (and the cause logged). */
  const readRoster = async (): Promise<readonly RosterPerson[]> => {
    try {
      return await getRoster();
    } catch (error) {
      logError("auth: the roster could not be read for sign-in", error);
      return refuseSignIn(SIGN_IN_ERRORS.rosterUnavailable);
    }
  };
  const providers = buildProviders(env, readRoster);

  const callbacks: RequiredCallbacks = {
    async signIn({ user }) {
      personOrRefuse(matchRosterPerson(await readRoster(), loginOf(user)));
      return true;
    },

    async jwt({ token, user, account }) {
      // `account` is only present on the call that follows a successful sign-in; later calls (every
      // session read) get the stored token alone.
      if (account && user) return signedInToken(token, loginOf(user), await readRoster());
      return refreshedToken(token, getRoster, logError);
    },

    async session({ session, token }) {
      const user = parseSessionUser(token.user);
      if (!user) return { expires: session.expires };
      return { ...session, user };
    },

    async redirect({ url, baseUrl }) {
      // Absolute, as next-auth expects; the path is the one rule the sign-in page follows too.
      return `${new URL(baseUrl).origin}${safeRedirectPath(url, baseUrl)}`;
    },
  };

  return {
    providers,
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: deps.pages ?? AUTH_PAGES,
    callbacks,
  };
}

function buildProviders(env: AuthEnv, readRoster: RosterLookup): Provider[] {
  const problems: ErrorDetail[] = [];
  const demo = env.AUDIT_DEMO_SIGN_IN === "1";
  if (demo && !isDemoModeAllowed(env)) {
    problems.push({
      path: "AUDIT_DEMO_SIGN_IN",
      message:
        "the demo sign-in lets anyone sign in as any roster person without a password; it is accepted only " +
        "on a server that listens on loopback alone (next start --hostname 127.0.0.1) with a loopback " +
        "NEXTAUTH_URL (http://127.0.0.1:…), whatever NODE_ENV says. Unset it",
    });
  }
  const hasId = env.GITLAB_CLIENT_ID !== undefined;
  const hasSecret = env.GITLAB_CLIENT_SECRET !== undefined;
  if (hasId !== hasSecret) {
    problems.push({
      path: hasId ? "GITLAB_CLIENT_SECRET" : "GITLAB_CLIENT_ID",
      message: "GitLab sign-in needs both GITLAB_CLIENT_ID and GITLAB_CLIENT_SECRET",
    });
  }
  if (!demo && !hasId && !hasSecret) {
    problems.push({
      path: "GITLAB_CLIENT_ID",
      message:
        "no sign-in method: set GITLAB_CLIENT_ID and GITLAB_CLIENT_SECRET (a GitLab OAuth application with " +
        "scope read_user), or AUDIT_DEMO_SIGN_IN=1 outside production",
    });
  }
  if (problems.length > 0) {
    throw new AppError(
      "invalid:environment",
      `Sign-in is misconfigured: ${problems.map((p) => p.path).join(", ")}.`,
      { details: problems },
    );
  }

  const providers: Provider[] = [];
  if (env.GITLAB_CLIENT_ID !== undefined && env.GITLAB_CLIENT_SECRET !== undefined) {
    providers.push(gitLabProvider(env.GITLAB_URL, env.GITLAB_CLIENT_ID, env.GITLAB_CLIENT_SECRET));
  }
  if (demo) providers.push(demoProvider(readRoster));
  return providers;
}

/** GitLab OAuth against `baseUrl` (gitlab.com or self-managed), carrying the username into the user. */
function gitLabProvider(baseUrl: string, clientId: string, clientSecret: string): Provider {
  const base = baseUrl.replace(/\/+$/, "");
  return GitLabProvider({
    id: GITLAB_PROVIDER_ID,
    clientId,
    clientSecret,
    authorization: { url: `${base}/oauth/authorize`, params: { scope: "read_user" } },
    token: `${base}/oauth/token`,
    userinfo: `${base}/api/v4/user`,
    profile: userFromGitLabProfile,
  });
}

/** The next-auth user for a GitLab account, keeping the username (the roster's join key). */
export function userFromGitLabProfile(
  profile: Pick<GitLabProfile, "id" | "username" | "name" | "email" | "avatar_url">,
): User & { gitlabUsername: string } {
  return {
    id: String(profile.id),
    name: profile.name || profile.username,
    email: profile.email,
    image: profile.avatar_url,
    gitlabUsername: profile.username,
  };
}

/**
 * Signs in as the roster person whose email or GitLab username is given, without a password. For the demo
 * and e2e only; `buildAuthOptions` refuses it unless the server listens on loopback alone, and each request
 * must come to a loopback name from loopback (`isLocalRequest`).
 */
function demoProvider(readRoster: RosterLookup): Provider {
  return CredentialsProvider({
    id: DEMO_PROVIDER_ID,
    name: "Demo (no password)",
    credentials: {
      person: { label: "Roster email or GitLab username", type: "text", placeholder: "alice@example.com" },
    },
    async authorize(credentials, request) {
      if (!isLocalRequest(request.headers)) return refuseSignIn(SIGN_IN_ERRORS.demoNotLocal);
      const choice = credentials?.person?.trim();
      if (!choice) return null;
      const roster = await readRoster();
      const byUsername = matchRosterPerson(roster, { gitlabUsername: choice });
      const person =
        byUsername.kind === "person"
          ? byUsername.person
          : roster.find((p) => personKeyOf(p) === personKeyOfEmail(choice));
      if (!person) return refuseSignIn(SIGN_IN_ERRORS.notInRoster);
      const user: User & { gitlabUsername: string | null } = {
        id: personKeyOf(person),
        name: person.name,
        email: person.email,
        gitlabUsername: person.gitlab?.username ?? null,
      };
      return user;
    },
  });
}

/**
 * The request came to a loopback name and from loopback: `Host` and every `X-Forwarded-Host` entry name
 * loopback (a DNS-rebinding page on `evil.test` that resolves to 127.0.0.1 sends `Host: evil.test`), and
 * every `X-Forwarded-For` entry is a loopback address (Next fills it from the socket; a reverse proxy on the
 * same machine adds the real client's).
 */
function isLocalRequest(headers: Record<string, unknown> | undefined): boolean {
  const listOf = (name: string) => {
    const value = headers?.[name];
    return typeof value === "string" ? value.split(",").map((entry) => entry.trim()) : [];
  };
  const host = headers?.host;
  if (typeof host !== "string" || !isLoopbackHost(host)) return false;
  const forwardedFor = listOf("x-forwarded-for").map((address) => address.replace(/^::ffff:/i, ""));
  return [...listOf("x-forwarded-host"), ...forwardedFor].every(isLoopbackHost);
}

/**
 * Stops a sign-in. next-auth turns an error thrown from `signIn`/`authorize` into a redirect to the
 * error page with `?error=<message>`, so the message is the code the page explains.
 */
function refuseSignIn(code: string): never {
  throw new Error(code);
}

/** The one roster person a sign-in matched; refuses nobody and several alike (never a guess). */
function personOrRefuse(match: RosterMatch): RosterPerson {
  if (match.kind === "ambiguous") return refuseSignIn(SIGN_IN_ERRORS.ambiguousMatch);
  if (match.kind === "none") return refuseSignIn(SIGN_IN_ERRORS.notInRoster);
  return match.person;
}

function loginOf(user: User): Login {
  const gitlabUsername =
    "gitlabUsername" in user && typeof user.gitlabUsername === "string" ? user.gitlabUsername : null;
  return { gitlabUsername, email: user.email ?? null };
}

function signedInToken(token: JWT, login: Login, roster: readonly RosterPerson[]): JWT {
  // `signIn` has just matched this login; the roster changing in between is the only way to a refusal.
  const user = toSessionUser(personOrRefuse(matchRosterPerson(roster, login)), roster);
  return { ...token, name: user.name, email: user.email, login, user };
}

/**
 * Role and identity are re-derived from the current roster on every session read (the roster lookup is
 * cached by the caller), so a promotion, a new report or leaving the team takes effect without signing
 * out. The session belongs to the person key it was issued for: when the login no longer matches exactly
 * one entry, or matches an entry with another person key (the entry now pins another GitLab username, the
 * username moved to someone else, the email changed), the session loses its user and reads as signed out;
 * it never becomes another person's.
 * When the roster cannot be read, the last known user is kept: an outage of the roster should not sign
 * everyone out, and the token expires within SESSION_MAX_AGE_SECONDS anyway.
 */
async function refreshedToken(token: JWT, getRoster: RosterLookup, logError: LogError): Promise<JWT> {
  const login = LoginSchema.safeParse(token.login);
  const issuedTo = parseSessionUser(token.user);
  if (!login.success || !issuedTo) return withoutUser(token);
  let roster: readonly RosterPerson[];
  try {
    roster = await getRoster();
  } catch (error) {
    logError("auth: the roster could not be read; keeping the session's last known role", error);
    return token;
  }
  const match = matchRosterPerson(roster, login.data);
  if (match.kind !== "person" || personKeyOf(match.person) !== issuedTo.personKey) return withoutUser(token);
  const user: SessionUser = toSessionUser(match.person, roster);
  return { ...token, name: user.name, email: user.email, user };
}

function withoutUser(token: JWT): JWT {
  const { user: _user, login: _login, ...rest } = token;
  return rest;
}

type LogError = (message: string, error: unknown) => void;

function defaultLogError(message: string, error: unknown): void {
  console.error(message, error);
}
