/**
 * Where the app may send someone after sign-in or sign-out (the sign-in page's `callbackUrl` and next-auth's
 * redirect callback): one rule, so the two cannot drift apart. Pure; safe for any runtime.
 */

/** Stands in for the app's origin when none is configured: only relative targets can resolve to it. */
const PLACEHOLDER_ORIGIN = "http://app.invalid";

/**
 * The path (with search and hash) `target` names on the site at `appOrigin`, normalised by the WHATWG URL
 * parser as a browser would parse it (tabs and newlines dropped, `\` read as `/`, dot segments resolved,
 * anything outside ASCII percent-encoded), so the result is a valid `Location` value. `/` when the target
 * leaves the site (another origin, `//host`, `/\host`, `/\t/host`), carries credentials, is not http(s)
 * (`javascript:`), does not parse, or is missing. A list (a repeated query parameter) uses its first value.
 */
export function safeRedirectPath(target: string | readonly string[] | undefined, appOrigin?: string): string {
  const raw = typeof target === "string" ? target : target?.[0];
  if (!raw) return "/";
  let base: URL;
  let url: URL;
  try {
    base = new URL(appOrigin ?? PLACEHOLDER_ORIGIN);
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin || url.username || url.password) return "/";
  // `/.//host` or `/a/..//host` resolve to the path `//host`, which a browser reads as another host.
  if (url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
