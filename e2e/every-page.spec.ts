import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { FindingsPage } from "./pages/findings-page";
import { PersonPage } from "./pages/person-page";
import { SignOffPage } from "./pages/sign-off-page";
import { demoOn, expect, type Role, storageStateOf, test as base } from "./fixtures";

/**
 * Every page at a desktop and a phone width: axe finds no WCAG 2.2 A/AA violation and nothing scrolls
 * sideways. With E2E_SCREENSHOTS=1 the main pages are also saved, small, to docs/screenshots/ for the README.
 */

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const WIDTHS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
type Width = keyof typeof WIDTHS;

const SCREENSHOTS = process.env.E2E_SCREENSHOTS === "1";
/** The README's screenshots: still the wide layout (lg, 1024 px and up), small enough to commit (< 150 KB). */
const SCREENSHOT_VIEWPORTS: Record<Width, { width: number; height: number }> = {
  desktop: { width: 1024, height: 640 },
  phone: WIDTHS.phone,
};

/** The seeded audit's pages, found once per worker. */
interface SeededPaths {
  findings: string;
  person: string;
  schedules: string;
  signOff: string;
  activity: string;
}

const PERSON = "Amara Okafor";

const test = base.extend<object, { seeded: SeededPaths }>({
  // One audit, opened, run, exported and one person pinged, for every page below.
  seeded: [
    async ({ browser }, use, workerInfo) => {
      const baseURL = workerInfo.project.use.baseURL ?? "";
      const context = await browser.newContext({ baseURL, storageState: storageStateOf("opsManager") });
      const page = await context.newPage();
      const overview = await demoOn(page, baseURL).freshAudit();
      await overview.exportToIssue();
      await overview.gotoFindings();
      const audit = new URL(page.url()).pathname.replace(/\/findings$/, "");
      // One ping, so the chase table, the activity and the person's timeline have a row.
      await new FindingsPage(page).openPerson(PERSON);
      await new PersonPage(page).ping();
      const person = new URL(page.url()).pathname;
      await context.close();
      await use({
        findings: `${audit}/findings`,
        person,
        schedules: `${audit}/schedules`,
        signOff: `${audit}/sign-off`,
        activity: `${audit}/activity`,
      });
    },
    { scope: "worker" },
  ],
});

interface PageCase {
  name: string;
  /** Saved as docs/screenshots/<screenshot>-<width>.png when screenshots are asked for. */
  screenshot?: string;
  path: (paths: SeededPaths) => string;
  /** What shows once the page has rendered. */
  ready: (page: Page) => Locator;
  signedOut?: boolean;
  /** Seen as this role rather than the Support Operations Manager (a role's own landing page). */
  as?: Role;
}

const h1 = (name: string | RegExp) => (page: Page) => page.getByRole("heading", { level: 1, name });

const PAGES: PageCase[] = [
  { name: "sign-in", path: () => "/sign-in", ready: h1("Sign in"), signedOut: true },
  { name: "overview", screenshot: "overview", path: () => "/", ready: h1("Overview") },
  {
    name: "findings",
    screenshot: "findings",
    path: (p) => p.findings,
    ready: h1("Findings"),
  },
  { name: "person", screenshot: "person", path: (p) => p.person, ready: h1(PERSON) },
  { name: "schedules", screenshot: "schedules", path: (p) => p.schedules, ready: h1("Schedules") },
  { name: "sign-off", screenshot: "sign-off", path: (p) => p.signOff, ready: h1("Sign-off") },
  { name: "activity", path: (p) => p.activity, ready: h1("Activity") },
  {
    name: "a team member's findings",
    screenshot: "your-findings",
    path: () => "/me",
    ready: h1("Your findings"),
    as: "chased",
  },
  { name: "a team member with nothing to fix", path: () => "/me", ready: h1("Your findings"), as: "member" },
  {
    name: "a manager's team",
    screenshot: "your-team",
    path: () => "/team",
    ready: h1("Your team"),
    as: "manager",
  },
  {
    name: "in-app not-found",
    path: () => "/audits/999999",
    ready: (page) => page.getByText(/^Not found/).first(),
  },
  {
    name: "unknown URL",
    path: () => "/no-such-page",
    ready: (page) => page.getByText(/could not be found|not found/i).first(),
  },
];

/**
 * Beyond WCAG's own rules, axe's checks that a page can be found by its parts: one `main` landmark to skip
 * to, and an `h1` that says which page this is.
 */
const STRUCTURE_RULES = ["landmark-one-main", "page-has-heading-one"];

/** axe's violations as `rule: target, target` lines, readable in a failed assertion. */
async function axeViolations(page: Page): Promise<string[]> {
  const [wcag, structure] = [
    await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze(),
    await new AxeBuilder({ page }).withRules(STRUCTURE_RULES).analyze(),
  ];
  return [...wcag.violations, ...structure.violations].map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

/** How far the page scrolls sideways, in CSS pixels (0 when it fits). */
async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function expectAccessibleAndFitting(page: Page): Promise<void> {
  expect(await axeViolations(page), "axe violations (WCAG 2.2 A/AA, main landmark, h1)").toEqual([]);
  expect(await sidewaysScroll(page), "pixels the page scrolls sideways").toBeLessThanOrEqual(0);
}

test.describe("every page, at desktop and phone widths", () => {
  test.use({ role: "opsManager" });

  for (const pageCase of PAGES) {
    for (const width of Object.keys(WIDTHS) as Width[]) {
      const title = `${pageCase.name} at ${width} width: no axe violation, no sideways scroll`;
      test(title, async ({ page, browser, seeded, baseURL }) => {
        let target = page;
        if (pageCase.signedOut || pageCase.as) {
          const storageState = pageCase.as ? storageStateOf(pageCase.as) : { cookies: [], origins: [] };
          const context = await browser.newContext({ baseURL, storageState });
          target = await context.newPage();
        }
        await target.setViewportSize(WIDTHS[width]);
        await target.goto(pageCase.path(seeded));
        await expect(pageCase.ready(target)).toBeVisible();
        await expectAccessibleAndFitting(target);
        if (target !== page) await target.context().close();
      });
    }
  }

  test("an unknown audit or person answers 404 with the in-app not-found page; an audit's address redirects", async ({
    page,
    seeded,
  }) => {
    const audit = seeded.findings.replace(/\/findings$/, "");
    const unknownAudit = "/audits/00000000-0000-0000-0000-000000000000";
    for (const path of [
      `${unknownAudit}/findings`,
      `${unknownAudit}/activity`,
      `${unknownAudit}/sign-off`,
      `${audit}/people/${encodeURIComponent("nobody@example.com")}`,
    ]) {
      await test.step(path, async () => {
        const response = await page.goto(path);
        // Link checkers, monitors and browsers read the status, not the words on the page.
        expect(response?.status()).toBe(404);
        await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
      });
    }
    // A redirect the browser and any client follow, not a script inside a page answered 200.
    const redirect = await page.request.get(audit, { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expect(redirect.headers().location).toBe(seeded.findings);
  });

  test("screenshots of the main pages at both widths, for the README", async ({
    page: opsManagerPage,
    browser,
    seeded,
    baseURL,
  }) => {
    test.skip(!SCREENSHOTS, "set E2E_SCREENSHOTS=1 to save them to docs/screenshots/");
    for (const pageCase of PAGES.filter((p) => p.screenshot !== undefined)) {
      const page = pageCase.as
        ? await (await browser.newContext({ baseURL, storageState: storageStateOf(pageCase.as) })).newPage()
        : opsManagerPage;
      for (const width of Object.keys(WIDTHS) as Width[]) {
        await page.setViewportSize(SCREENSHOT_VIEWPORTS[width]);
        await page.goto(pageCase.path(seeded));
        await expect(pageCase.ready(page)).toBeVisible();
        // The first screen, as a reader would see it: small files (CSS pixels, no full page).
        await page.screenshot({ path: `docs/screenshots/${pageCase.screenshot}-${width}.png`, scale: "css" });
      }
      if (page !== opsManagerPage) await page.context().close();
    }
  });

  // Last: signing off makes the audit read-only for every page above.
  test("sign-off once signed off, at both widths: the report's fingerprint wraps, axe finds nothing", async ({
    page,
    seeded,
  }) => {
    await page.goto(seeded.signOff);
    const signOff = new SignOffPage(page);
    if ((await page.getByText("The audit is read-only.").count()) === 0) {
      await signOff.signOff("Open items are tracked in the Q4 onboarding epic.");
    }
    for (const width of Object.keys(WIDTHS) as Width[]) {
      await test.step(width, async () => {
        await page.setViewportSize(WIDTHS[width]);
        await page.reload();
        await expect(page.getByText("Report fingerprint (sha256)")).toBeVisible();
        await expectAccessibleAndFitting(page);
      });
    }
  });
});
