/**
 * The headers every response carries, pages and API alike (next.config.ts `headers()`). Kept free of
 * imports so that next.config.ts can load it before anything is built.
 *
 * The Content-Security-Policy allows inline scripts: Next's App Router inlines the scripts that hydrate a
 * page, and the only way around 'unsafe-inline' is a nonce per request, which makes every page dynamic.
 * What it does forbid is what an attacker reaches for first without a script injection: framing the
 * signed-in pages (clickjacking on Ping/Waive), plugins, a foreign <base>, and sending forms or fetches
 * to another origin. HSTS is left to the TLS proxy in front of the app.
 */

export interface SecurityHeader {
  key: string;
  value: string;
}

export interface SecurityHeaderOptions {
  /** `next dev`: React's development build evaluates code for its stack traces. */
  development: boolean;
}

/** The header list, in the shape next.config's `headers()` wants. */
export function buildSecurityHeaders({ development }: SecurityHeaderOptions): SecurityHeader[] {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return [
    { key: "Content-Security-Policy", value: csp },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  ];
}

/** next.config's `headers()` result: the security headers on every path. */
export function buildHeaderRules(
  options: SecurityHeaderOptions,
): { source: string; headers: SecurityHeader[] }[] {
  return [{ source: "/:path*", headers: buildSecurityHeaders(options) }];
}
