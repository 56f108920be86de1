/**
 * Runs once when a server instance starts, before it serves anything. On the Node.js runtime it checks the
 * sign-in configuration and opens the app context, which runs the database migrations. Imports are
 * dynamic so that none of this reaches the Edge runtime's bundle.
 */
export async function register(): Promise<void> {
  // The one place besides lib/env.ts that reads the environment: Next sets NEXT_RUNTIME per bundle.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { AppError, formatErrorDetails } = await import("@/lib/errors");

  // A misconfigured sign-in (the password-less demo sign-in in production) must never serve a request. A
  // throw here only makes Next answer 500 to everything from a server that looks healthy; exit instead.
  try {
    const { getAuthOptions } = await import("@/lib/auth/session");
    getAuthOptions();
  } catch (error) {
    console.error("The dashboard refuses to start.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
    process.exit(1);
  }

  // The database may still be coming up; the context is opened again on the first request that needs it.
  try {
    const { getAppContext } = await import("@/lib/service/app-context");
    await getAppContext();
  } catch (error) {
    console.error("The dashboard could not open its database at start; it will try again on first use.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
  }
}
