import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/**
 * next-auth v4's App Router handler. The options are built on the first request, not at import, so
 * `next build` needs no sign-in secrets (and a misconfigured sign-in fails at start, in instrumentation).
 */
async function handler(
  request: NextRequest,
  context: { params: Promise<{ nextauth: string[] }> },
): Promise<Response> {
  const response: Response = await NextAuth(request, context, getAuthOptions());
  return response;
}

export { handler as GET, handler as POST };
