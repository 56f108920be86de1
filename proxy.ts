import { NextResponse } from "next/server";
import type { NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { refuseUnknownHost } from "@/lib/server/host-check";

/**
 * Every request: in production, refuses a `Host` that is not the dashboard's (lib/server/host-check.ts).
 * Pages: sends signed-out visitors to the sign-in page with a real redirect, keeping where they were going.
 * It only refuses and redirects: every page and route handler checks the session and the role itself.
 */
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

/** Pages only: the API answers 401 itself, and sign-in, Next's assets and public files stay open. */
const SIGNED_IN_PAGES = /^\/(?!api(?:\/|$)|sign-in(?:\/|$)|_next\/|favicon\.ico$|.*\.(?:png|svg|ico|txt)$)/;

export function proxy(request: NextRequest): NextResponse | Response {
  const refused = refuseUnknownHost(request, getEnv());
  if (refused) return refused;
  if (!SIGNED_IN_PAGES.test(request.nextUrl.pathname)) return NextResponse.next();
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  signIn.searchParams.set("callbackUrl", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Everything but Next's build assets, which hold no data: the Host check covers the API and sign-in too.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
