/**
 * Why a sign-in was refused, as the `error` query parameter of the sign-in error page carries it. Pure and
 * safe for client components: the error page renders `describeSignInError(searchParams.error)`.
 */

/** Codes this app adds to next-auth's own (`AccessDenied`, `Configuration`, `CredentialsSignin`, …). */
export const SIGN_IN_ERRORS = {
  /** The GitLab account (or the demo choice) matches nobody in the support roster. */
  notInRoster: "NotInRoster",
  /** The roster could not be read, so nobody can be matched. */
  rosterUnavailable: "RosterUnavailable",
  /** The demo sign-in was asked for by a request that did not come to and from loopback. */
  demoNotLocal: "DemoNotLocal",
  /** The GitLab username is one roster person's and the email another's: refused rather than guessed. */
  ambiguousMatch: "AmbiguousRosterMatch",
} as const;

export interface SignInErrorDescription {
  heading: string;
  message: string;
}

const DESCRIPTIONS: Record<string, SignInErrorDescription> = {
  [SIGN_IN_ERRORS.notInRoster]: {
    heading: "You are not in the support roster",
    message:
      "This dashboard is for people in the support team roster. Your GitLab username and email match no " +
      "one in it. If you joined recently, ask your manager to add you to the roster (with your GitLab " +
      "username), then sign in again.",
  },
  [SIGN_IN_ERRORS.rosterUnavailable]: {
    heading: "The roster could not be read",
    message:
      "Sign-in checks you against the support team roster, which could not be read just now. Try again in a " +
      "minute; if it keeps happening, tell Support Operations.",
  },
  [SIGN_IN_ERRORS.demoNotLocal]: {
    heading: "The demo sign-in works on this computer only",
    message:
      "The password-less demo sign-in is offered only to the computer the demo runs on (localhost or " +
      "127.0.0.1). Open the dashboard there.",
  },
  [SIGN_IN_ERRORS.ambiguousMatch]: {
    heading: "Your account matches more than one roster entry",
    message:
      "Your GitLab username names one person in the support roster and your GitLab email another, so the " +
      "dashboard cannot tell who you are. Ask Support Operations to correct the roster (your entry should " +
      "carry your GitLab username), then sign in again.",
  },
  AccessDenied: {
    heading: "Access denied",
    message: "You may not sign in to this dashboard.",
  },
  Configuration: {
    heading: "Sign-in is not set up",
    message: "The server's sign-in configuration has a problem. Tell Support Operations.",
  },
  CredentialsSignin: {
    heading: "Sign-in failed",
    message: "Choose a person from the roster to sign in as.",
  },
};

const FALLBACK: SignInErrorDescription = {
  heading: "Sign-in failed",
  message: "Something went wrong while signing you in. Try again.",
};

/** What to tell the person for an `error` query value; unknown or missing codes get a generic message. */
export function describeSignInError(code: string | null | undefined): SignInErrorDescription {
  const known = code && Object.hasOwn(DESCRIPTIONS, code) ? DESCRIPTIONS[code] : undefined;
  return known ?? FALLBACK;
}
