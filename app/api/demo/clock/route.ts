import { apiHandler } from "@/lib/api/handler";
import { ClockAdvanceSchema } from "@/lib/api/schemas";
import { advanceDemoClock, readDemoClock } from "@/lib/service/demo";

export const dynamic = "force-dynamic";

/** Demo only: `GET /api/demo/clock` reads the app's clock. */
export const GET = apiHandler({
  demoOnly: true,
  run: async ({ app }) => readDemoClock(app),
});

/** Demo only: `POST /api/demo/clock` `{ hours }` moves the app's clock forward (`audit:run`). */
export const POST = apiHandler({
  demoOnly: true,
  permission: "audit:run",
  input: ClockAdvanceSchema,
  run: async ({ app, input }) => advanceDemoClock(app, input.hours),
});
