import type { ReactNode } from "react";
import { ROLE_LABELS } from "@/components/role-label";
import { SignedInUser, TopBar } from "@/components/top-bar";
import { can } from "@/lib/auth/roles";
import { getEnv, isDemoMode } from "@/lib/env";
import { getAppContext } from "@/lib/service/app-context";
import { DEMO_CLOCK_PERMISSION } from "@/lib/service/demo";
import { DemoClock } from "./_components/demo-clock";
import { MainNav } from "./_components/main-nav";
import { SignOutButton } from "./_components/sign-out-button";
import { loadAuditIndex, loadSessionUser } from "./_lib/data";

const HOUR_MS = 60 * 60 * 1000;

/** The signed-in part of the dashboard: top bar with navigation, then the page. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await loadSessionUser();
  // Signed out: no chrome. Every page calls requireSessionUser itself and redirects to the sign-in page
  // with its own address to come back to, which a layout (it does not know the path) could not.
  if (!user) return children;
  // A failure here (the database is down) is left to the page, whose error boundary explains it; the
  // layout's own boundary is the root's, which cannot keep the navigation on screen.
  const [index, ctx] = await Promise.all([
    loadAuditIndex().catch(() => null),
    getAppContext().catch(() => null),
  ]);
  const demo = isDemoMode(getEnv());

  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow"
      >
        Skip to main content
      </a>
      <TopBar
        nav={<MainNav currentAuditId={index?.current?.id ?? null} role={user.role} />}
        aside={
          <>
            {demo && ctx && can(user, DEMO_CLOCK_PERMISSION) && (
              <DemoClock offsetHours={Math.round(ctx.clock.offsetMs() / HOUR_MS)} />
            )}
            <SignedInUser name={user.name} role={ROLE_LABELS[user.role]} />
            <SignOutButton />
          </>
        }
      />
      <main id="main" className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </>
  );
}
