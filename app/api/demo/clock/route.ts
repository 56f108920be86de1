import { apiHandler } from "@/lib/api/handler";
import { ClockAdvanceSchema } from "@/lib/api/schemas";
import { advanceDemoClock } from "@/lib/service/demo";

export const dynamic = "force-dynamic";

/** Demo only: `POST /api/demo/clock` `{ hours }` moves the app's clock forward (`audit:run`). */
export const POST = apiHandler({
  demoOnly: true,
  permission: "audit:run",
  input: ClockAdvanceSchema,
  run: async ({ app, input }) => advanceDemoClock(app, input.hours),
});
