import { apiHandler } from "@/lib/api/handler";
import { getOverview } from "@/lib/service/overview";

export const dynamic = "force-dynamic";

/** `GET /api/overview`: the due audit, the current audit's counts, the history. Any signed-in person. */
export const GET = apiHandler({
  run: ({ app }) => getOverview(app),
});
