import { apiHandler } from "@/lib/api/handler";
import { ClockAdvanceSchema } from "@/lib/api/schemas";
import { advanceDemoClock, DEMO_CLOCK_PERMISSION } from "@/lib/service/demo";

export const dynamic = "force-dynamic";

/** Demo only: `POST /api/demo/clock` `{ hours }` moves the app's clock forward (`DEMO_CLOCK_PERMISSION`). */
export const POST = apiHandler({
  demoOnly: true,
  permission: DEMO_CLOCK_PERMISSION,
  input: ClockAdvanceSchema,
  run: async ({ app, input }) => advanceDemoClock(app, input.hours),
});
