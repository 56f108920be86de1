import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { E2E_DATA_DIR } from "./servers";

/**
 * A roster name is data, never markup: a person whose name tries HTML, a live `@all`, a javascript: link and
 * a table pipe is shown as the text it is in every page, and exported as inert markdown.
 */
const HOSTILE_NAME = 'Eve <img src=x onerror="window.__pwned=1"> @all ](javascript:window.__pwned=2) | x';
const ROSTER = path.join(E2E_DATA_DIR, "scenario", "support-team.yaml");

test.describe("hostile roster names", () => {
  test.use({ role: "opsManager" });
  let original: string | undefined;

  test.beforeEach(async () => {
    original = await readFile(ROSTER, "utf8");
    // No PagerDuty ID: the audit finds them; reports to the Support Operations Manager, who is in the roster.
    await appendFile(
      ROSTER,
      [
        `- name: ${JSON.stringify(HOSTILE_NAME)}`,
        "  email: eve.hostile@example.com",
        "  title: Support Engineer",
        "  reports_to: Sofia Reyes",
        "  region: EMEA",
        // A group path, not a user: `@gitlab-com` would notify every member of the group.
        "  gitlab:",
        "    username: gitlab-com",
        "",
      ].join("\n"),
    );
  });

  test.afterEach(async () => {
    if (original !== undefined) await writeFile(ROSTER, original);
  });

  test("render as text in the pages and as inert markdown in the audit issue", async ({
    page,
    demo,
    gitlab,
  }) => {
    const overview = await demo.freshAudit();

    await overview.gotoFindings();
    const findings = new URL(page.url());
    findings.searchParams.set("q", "hostile");
    await page.goto(findings.toString());
    const link = page.getByRole("table").getByRole("link", { name: HOSTILE_NAME });
    await expect(link).toBeVisible();
    await expectInert(page);

    await link.click();
    await expect(page.getByRole("heading", { level: 1, name: HOSTILE_NAME })).toBeVisible();
    await expectInert(page);

    await overview.goto();
    await overview.exportToIssue();
    const [issue] = await gitlab.auditIssues();
    const description = issue?.description ?? "";
    // Named, escaped: the heading is the text of the name.
    expect(description).toContain("##### Eve \\<img src=x onerror=");
    expect(description).not.toMatch(/(^|[^\w\u200d])@all\b/);
    expect(description).not.toMatch(/(^|[^\\])\]\(javascript:/);
    expect(description).not.toMatch(/(^|[^\\])<img/i);
    expect(description).toContain("@\u200dgitlab-com");
    expect(description).not.toContain("@gitlab-com");
    await expect(
      page.getByRole("alert").filter({ hasText: /^gitlab-com \(gitlab\.username of Eve .*is not a user on/ }),
    ).toBeVisible();
  });
});

async function expectInert(page: Page): Promise<void> {
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}
