import type { Metadata } from "next";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ROLE_LABELS } from "@/components/role-label";
import { Badge } from "@/components/ui/badge";
import { ErrorState } from "@/components/ui/states";
import { safeRedirectPath } from "@/lib/auth/redirect";
import { roleOf, type Role } from "@/lib/auth/roles";
import { getRosterPeople, getSessionUser } from "@/lib/auth/session";
import { getEnv, isDemoMode } from "@/lib/env";
import type { RosterPerson } from "@/lib/roster/schema";
import { DemoSignInList, GitLabSignInButton, type DemoPerson } from "./_components/sign-in-buttons";

export const metadata: Metadata = { title: "Sign in" };

const ROLE_ORDER: Role[] = ["ops_manager", "ops", "manager", "member"];

async function loadDemoPeople(): Promise<DemoPerson[] | null> {
  let roster: readonly RosterPerson[];
  try {
    roster = await getRosterPeople();
  } catch {
    return null;
  }
  return roster
    .map((person) => ({ person, role: roleOf(person, roster) }))
    .sort(
      (a, b) =>
        ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) ||
        a.person.name.localeCompare(b.person.name, "en"),
    )
    .map(({ person, role }) => ({
      name: person.name,
      email: person.email,
      title: person.title ?? null,
      role: ROLE_LABELS[role],
    }));
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = getEnv();
  const callbackUrl = safeRedirectPath((await searchParams).callbackUrl, env.NEXTAUTH_URL);
  if (await getSessionUser()) redirect(callbackUrl);
  const gitlab = env.GITLAB_CLIENT_ID !== undefined && env.GITLAB_CLIENT_SECRET !== undefined;
  const demo = isDemoMode(env);
  const demoPeople = demo ? await loadDemoPeople() : null;

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4 py-12">
      <div className="mb-6 flex items-center gap-2">
        <span
          aria-hidden
          className="grid h-8 w-8 place-items-center rounded bg-indigo-600 text-sm font-semibold text-white"
        >
          PD
        </span>
        <p className="text-sm font-semibold text-slate-900">PagerDuty audit</p>
      </div>
      <h1 className="text-2xl font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        For the support team: everyone in the roster can follow the audit; Support Operations and managers act
        on findings.
      </p>

      <div className="mt-6 space-y-6">
        {gitlab && (
          <Section>
            <GitLabSignInButton callbackUrl={callbackUrl} />
            <p className="mt-2 text-xs text-slate-500">Your GitLab username must be in the support roster.</p>
          </Section>
        )}

        {demo && (
          <Section>
            <div className="mb-3 flex items-center justify-between gap-2">
              <h2 className="text-base font-semibold text-slate-900">Demo sign-in</h2>
              <Badge tone="warning">Demo only · no password</Badge>
            </div>
            <p className="mb-3 text-sm text-slate-600">
              This server runs in demo mode: pick anyone from the roster to see the dashboard as them. Real
              deployments sign in with GitLab only.
            </p>
            {demoPeople === null ? (
              <ErrorState
                title="The roster could not be read"
                message="The demo sign-in lists the people of the roster, which could not be read just now. Reload the page in a minute."
              />
            ) : (
              <DemoSignInList people={demoPeople} callbackUrl={callbackUrl} />
            )}
          </Section>
        )}

        {!gitlab && !demo && (
          <ErrorState
            title="Sign-in is not set up"
            message="The server has no sign-in method configured. Tell Support Operations."
          />
        )}
      </div>
    </main>
  );
}

function Section({ children }: { children: ReactNode }) {
  return <section className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">{children}</section>;
}
