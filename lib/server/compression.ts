/**
 * Whether the server gzips its own responses (next.config.ts `compress`). Kept free of imports so that
 * next.config.ts can load it before anything is built.
 *
 * On by default: a browser talking to the server directly gets compressed pages. Compressing costs the
 * server's one JavaScript thread about a millisecond per dashboard page (3 ms for the overview at 10,000
 * people), so a deploy behind a proxy that compresses (nginx `gzip on`, a load balancer) sets
 * `AUDIT_COMPRESSION=off` and lets the proxy do it. Read by `next start` as it loads its config.
 */
export function compressionOf(value: string | undefined): boolean {
  const setting = value?.trim().toLowerCase() ?? "";
  if (setting === "" || setting === "on") return true;
  if (setting === "off") return false;
  throw new Error(`AUDIT_COMPRESSION: expected "on" or "off", got ${JSON.stringify(value)}`);
}
