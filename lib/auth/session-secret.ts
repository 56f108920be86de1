import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/** 32 characters: `openssl rand -base64 32` gives 44, a hex string of 32 random bytes 64. */
export const MIN_SESSION_SECRET_LENGTH = 32;

const HOW = "Set it to a long random string, e.g. the output of `openssl rand -base64 32`.";

/**
 * Checks NEXTAUTH_SECRET, which signs and encrypts the session cookies, at server start. Without it a
 * production build starts and looks healthy, and every sign-in then fails with next-auth's
 * MissingSecretError; a short one can be guessed, and whoever guesses it can forge any session. No
 * exception for the demo: its sign-in runs only on a `next start` bound to loopback, where next-auth needs
 * the secret too. Throws AppError `invalid:environment`; the message never repeats the secret.
 */
export function checkSessionSecret(env: Pick<Env, "NEXTAUTH_SECRET">): void {
  const secret = env.NEXTAUTH_SECRET;
  if (secret === undefined) {
    throw new AppError(
      "invalid:environment",
      `NEXTAUTH_SECRET is not set: it signs the session cookies, and sign-in fails without it. ${HOW}`,
      { details: [{ path: "NEXTAUTH_SECRET", message: "not set" }] },
    );
  }
  if (secret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new AppError(
      "invalid:environment",
      `NEXTAUTH_SECRET is ${secret.length} characters long; it must be at least ${MIN_SESSION_SECRET_LENGTH} ` +
        `characters, or whoever guesses it can forge a session. ${HOW}`,
      {
        details: [
          { path: "NEXTAUTH_SECRET", message: `shorter than ${MIN_SESSION_SECRET_LENGTH} characters` },
        ],
      },
    );
  }
}
