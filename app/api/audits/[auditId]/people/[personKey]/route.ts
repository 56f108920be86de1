import { apiHandler } from "@/lib/api/handler";
import { PersonParamsSchema } from "@/lib/api/schemas";
import { getPersonDetail } from "@/lib/service/people";

export const dynamic = "force-dynamic";

/** `GET /api/audits/[auditId]/people/[personKey]`: a person's items, timers and ping history. */
export const GET = apiHandler({
  params: PersonParamsSchema,
  run: ({ app, params }) => getPersonDetail(app, params.auditId, params.personKey),
});
