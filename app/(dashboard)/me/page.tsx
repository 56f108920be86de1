import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { NothingToFix, YourFindings } from "@/components/your-findings";
import { getRosterDirectory } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { rosterFileUrl } from "@/lib/gitlab/roster-file-url";
import { personKeyOf } from "@/lib/roster/person-key";
import { getAppContext } from "@/lib/service/app-context";
import type { AppContext } from "@/lib/service/context";
import { getPersonDetail, type PersonDetail } from "@/lib/service/findings";
import { yourFindingsOf } from "@/lib/service/your-work";
import { loadAuditIndex, requireSessionUser } from "../_lib/data";
import { personPath, YOUR_FINDINGS_PATH } from "../_lib/paths";

export const metadata: Metadata = { title: "Your findings" };

/** The person's findings in the audit, or null when it found nothing about them. */
async function findDetail(ctx: AppContext, auditId: string, personKey: string): Promise<PersonDetail | null> {
  try {
    return await getPersonDetail(ctx, auditId, personKey);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found:person") return null;
    throw error;
  }
}

/** Rotation ids to names, from the audit config; ids alone when the config cannot be read now. */
async function rotationNamesOf(ctx: AppContext): Promise<Map<string, string>> {
  try {
    return new Map((await ctx.loadConfig()).rotations.map((rotation) => [rotation.id, rotation.name]));
  } catch (error) {
    ctx.log("Your findings: the audit config could not be read for rotation names", error);
    return new Map();
  }
}

/** The signed-in person's findings in the current audit, said to them, with what to do and where. */
export default async function YourFindingsPage() {
  const user = await requireSessionUser(YOUR_FINDINGS_PATH);
  const [{ current }, ctx, directory] = await Promise.all([
    loadAuditIndex(),
    getAppContext(),
    getRosterDirectory(),
  ]);
  const detail = current ? await findDetail(ctx, current.id, user.personKey) : null;
  const { open, addressed } = detail
    ? yourFindingsOf(detail.items, await rotationNamesOf(ctx))
    : { open: [], addressed: 0 };
  const entry = directory.entries.find((e) => personKeyOf(e.person) === user.personKey);
  const rosterUrl = entry ? rosterFileUrl(directory.config, entry.location) : null;

  return (
    <>
      <PageHeader
        eyebrow={current?.name}
        title="Your findings"
        description={
          current
            ? `What the ${current.name} PagerDuty audit found about your roster entry and your PagerDuty account, and what to do about it.`
            : "What a PagerDuty audit finds about your roster entry and your PagerDuty account, and what to do about it."
        }
      />
      {current && open.length > 0 ? (
        <YourFindings
          findings={open}
          addressed={addressed}
          now={ctx.clock.now().toISOString()}
          rosterUrl={rosterUrl}
          issueUrl={current.issueUrl}
          detailsHref={personPath(current.id, user.personKey)}
        />
      ) : (
        <NothingToFix auditName={current?.name ?? null} addressed={addressed} />
      )}
    </>
  );
}
