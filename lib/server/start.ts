import { getAuthOptions } from "@/lib/auth/session";
import { AppError, formatErrorDetails } from "@/lib/errors";
import { getAppContext } from "@/lib/service/app-context";

/**
 * Server start on the Node.js runtime: checks the sign-in configuration and opens the app context, which
 * runs the database migrations. Called from instrumentation.ts.
 */
export async function startServer(): Promise<void> {
  // A misconfigured sign-in (the password-less demo sign-in in production) must never serve a request. A
  // throw here only makes Next answer 500 to everything from a server that looks healthy; exit instead.
  try {
    getAuthOptions();
  } catch (error) {
    console.error("The dashboard refuses to start.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
    process.exit(1);
  }

  // The database may still be coming up; the context is opened again on the first request that needs it.
  try {
    await getAppContext();
  } catch (error) {
    console.error("The dashboard could not open its database at start; it will try again on first use.");
    console.error(error instanceof AppError ? formatErrorDetails(error) : error);
  }
}
