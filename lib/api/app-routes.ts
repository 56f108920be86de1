import "server-only";
import { getRosterPeople } from "@/lib/auth/session";
import { getEnv, isDemoMode } from "@/lib/env";
import { getAppContext } from "@/lib/service/app-context";
import { apiHandler } from "./handler";
import { createApiRoutes } from "./routes";

/**
 * The API as the app serves it: the next-auth session, the server's context and the cached roster. Nothing
 * is read until a request arrives, so `next build` needs no secrets and no database.
 */
export const API_ROUTES = createApiRoutes({
  apiHandler,
  getAppContext,
  getRoster: getRosterPeople,
  isDemoMode: () => isDemoMode(getEnv()),
});
