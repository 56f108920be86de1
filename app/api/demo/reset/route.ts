import { apiHandler } from "@/lib/api/handler";
import { readDemoClock, resetDemo } from "@/lib/service/demo";

export const dynamic = "force-dynamic";

/**
 * Demo only. `POST /api/demo/reset`: forgets every audit and returns the clock to real time, so each e2e
 * spec starts from the same state. Support Operations only (`audit:run`, as moving the clock): a member
 * of a shared demo must not wipe what the others are looking at.
 */
export const POST = apiHandler({
  demoOnly: true,
  permission: "audit:run",
  run: async ({ app }) => {
    await resetDemo(app);
    return readDemoClock(app);
  },
});
