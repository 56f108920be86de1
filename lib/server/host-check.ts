/**
 * The `Host` check every production request passes (proxy.ts). Pure: the request and the environment in,
 * a refusal or null out.
 */
import { normalizeHost, publicHostsOf, type Env } from "@/lib/env";

/** Load balancers and orchestrators probe an instance by its own address; the answer holds no data. */
const HEALTH_PATH = "/api/health";

/**
 * A plain-text refusal for a request that does not name the dashboard, or null to let it through. In
 * production, `Host` and every `X-Forwarded-Host` entry must be NEXTAUTH_URL's host or one of
 * AUDIT_ALLOWED_HOSTS: a page on another name that resolves to this server (DNS rebinding, a loopback demo
 * reached through `evil.test`) then gets nothing but 421. 400 when `Host` is missing or not a host. Outside
 * production nothing is checked (a development server picks its own name; the demo runs as production).
 */
export function refuseUnknownHost(
  request: Request,
  env: Pick<Env, "NODE_ENV" | "NEXTAUTH_URL" | "AUDIT_ALLOWED_HOSTS">,
): Response | null {
  if (env.NODE_ENV !== "production") return null;
  if (new URL(request.url).pathname === HEALTH_PATH) return null;
  const publicHosts = publicHostsOf(env);
  if (publicHosts.length === 0) {
    return refusal(421, "This dashboard answers to no host: set NEXTAUTH_URL to its public URL.");
  }
  // publicHosts is empty without NEXTAUTH_URL, so it is set here.
  const protocol = new URL(env.NEXTAUTH_URL ?? "http://localhost").protocol;
  const host = normalizeHost(request.headers.get("host") ?? "", protocol);
  if (host === null) return refusal(400, "The request names no valid host.");
  const forwarded = (request.headers.get("x-forwarded-host") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => normalizeHost(entry, protocol));
  const named = [host, ...forwarded];
  if (named.every((name) => name !== null && publicHosts.includes(name))) return null;
  return refusal(421, "Misdirected request: this dashboard answers only at its own address (NEXTAUTH_URL).");
}

function refusal(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
