import { NextResponse } from "next/server";
import type { NextRequest } from "next/server";

/**
 * Sends signed-out visitors to the sign-in page with a real redirect, keeping where they were going. It
 * only redirects: every page and route handler checks the session and the role itself.
 */
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(request: NextRequest): NextResponse {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  signIn.searchParams.set("callbackUrl", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Pages only: the API answers 401 itself, and sign-in, Next's assets and public files stay open.
  matcher: ["/((?!api|sign-in|_next|favicon.ico|.*\\.(?:png|svg|ico|txt)$).*)"],
};
