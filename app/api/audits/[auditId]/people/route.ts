import { apiHandler } from "@/lib/api/handler";
import { AuditParamsSchema, PeopleQuerySchema } from "@/lib/api/schemas";
import { queryPeople } from "@/lib/service/findings";

export const dynamic = "force-dynamic";

/** `GET /api/audits/[auditId]/people?…`: one page of the findings table. */
export const GET = apiHandler({
  params: AuditParamsSchema,
  input: PeopleQuerySchema,
  run: ({ app, params, input }) => queryPeople(app, params.auditId, input),
});
