import type { Page, Request } from "@playwright/test";
import { demoUserId } from "../sandbox/scenarios/demo-org";
import { FindingsPage } from "./pages/findings-page";
import { expect, test } from "./fixtures";

const AMARA = { name: "Amara Okafor", gitlab: "aokafor" };

/** The findings counts of the table's rows, top to bottom (each row's list is labelled "3 findings"). */
async function findingCounts(findings: FindingsPage): Promise<number[]> {
  const labels = await findings.table
    .getByRole("list")
    .evaluateAll((lists) => lists.map((list) => list.getAttribute("aria-label") ?? ""));
  return labels.map((label) => Number.parseInt(label, 10));
}

/** Server renders the router asks for (a filter applied, a link followed) from now on; not prefetches. */
function recordPageLoads(page: Page): Request[] {
  const loads: Request[] = [];
  page.on("request", (request) => {
    const headers = request.headers();
    if (headers["next-router-prefetch"]) return;
    if (headers["rsc"] === "1" || request.url().includes("_rsc=")) loads.push(request);
  });
  return loads;
}

/** Lets the page run what a key press queued (a navigation starts within the same task as the change). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(), 0))),
  );
}

test.describe("the findings table", () => {
  test.use({ role: "ops" });
  // Each test opens and runs a fresh audit first, which alone takes a good part of the default minute.
  test.describe.configure({ timeout: 180_000 });

  test("sorts by a header, finds people by @handle and PagerDuty ID, and drops filters by their chips", async ({
    page,
    demo,
  }) => {
    const overview = await demo.freshAudit();
    await overview.gotoFindings();
    const findings = new FindingsPage(page);

    // Sorting is a link in the header, worked with the keyboard; focus stays on it.
    await findings.sortBy("Findings", "descending");
    await expect(page).toHaveURL(/sort=items(?!&dir)/);
    await expect(findings.columnHeader("Findings").getByRole("link")).toBeFocused();
    await expect(findings.columnHeader("Person")).not.toHaveAttribute("aria-sort");
    const most = await findingCounts(findings);
    expect(most.length).toBeGreaterThan(1);
    expect(most).toEqual(most.toSorted((a, b) => b - a));
    expect(most[0]).toBeGreaterThan(most.at(-1) ?? 0);
    await findings.sortBy("Findings", "ascending");
    await expect(page).toHaveURL(/sort=items&dir=asc/);
    const fewest = await findingCounts(findings);
    expect(fewest).toEqual(fewest.toSorted((a, b) => a - b));
    await page.screenshot({ path: "test-results/screenshots/findings-sorted.png", fullPage: true });

    // A handle is matched whole and in any case; part of one matches no one.
    await findings.search(`@${AMARA.gitlab.toUpperCase()}`);
    await expect(findings.table.getByRole("link")).toHaveText([AMARA.name]);
    await findings.search(`@${AMARA.gitlab.slice(0, -1)}`);
    await expect(page.getByText("No one matches these filters")).toBeVisible();
    // A PagerDuty ID, exactly.
    const amaraId = demoUserId(AMARA.name);
    await findings.search(amaraId);
    await expect(findings.table.getByRole("link")).toHaveText([AMARA.name]);

    // Each active filter is a chip that removes it; the sort stays.
    await findings.filterByStatus("Open");
    await expect(findings.filterChip("Status: Open")).toBeVisible();
    await findings.filterChip(`Search: ${amaraId}`).click();
    await expect(page).toHaveURL(/status=open/);
    await expect(page).not.toHaveURL(/q=/);
    await expect(page.getByRole("searchbox", { name: "Search" })).toHaveValue("");
    await expect(findings.filterChip(`Search: ${amaraId}`)).toHaveCount(0);
    expect((await findingCounts(findings)).length).toBeGreaterThan(1);
    await page.getByRole("link", { name: "Clear all" }).click();
    await expect(page).not.toHaveURL(/status=/);
    await expect(page).toHaveURL(/sort=items&dir=asc/);
    await expect(findings.filterChip("Status: Open")).toHaveCount(0);
    await expect(findings.statusFilter).toHaveValue("");
  });

  test("arrow keys in a filter step through it without reloading; Enter applies and keeps focus there", async ({
    page,
    demo,
  }) => {
    const overview = await demo.freshAudit();
    await overview.gotoFindings();
    const findings = new FindingsPage(page);
    const before = page.url();
    const loads = recordPageLoads(page);

    await findings.statusFilter.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(findings.statusFilter).toHaveValue("pinged");
    await settle(page);
    expect(loads, "no reload while stepping").toHaveLength(0);
    expect(page.url()).toBe(before);

    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/status=pinged/);
    await expect(findings.statusFilter).toBeFocused();
    await expect(findings.statusFilter).toHaveValue("pinged");
    expect(loads.length).toBeGreaterThan(0);

    // Leaving the menu after stepping applies it too.
    await page.keyboard.press("ArrowUp");
    await settle(page);
    await expect(page).toHaveURL(/status=pinged/);
    await page.keyboard.press("Tab");
    await expect(page).toHaveURL(/status=open/);
  });

  test("at phone width: no sideways scroll, a card per person with status and next action, filters folded", async ({
    page,
    demo,
  }) => {
    const overview = await demo.freshAudit();
    await overview.gotoFindings();
    const address = page.url();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(address);
    const findings = new FindingsPage(page);

    await expect(findings.cards.first()).toBeVisible();
    await expect(page.getByRole("table")).toBeHidden();
    const amara = findings.cards.filter({ has: page.getByRole("link", { name: AMARA.name }) });
    await expect(amara.getByRole("term")).toHaveText([
      "Status",
      "Next action",
      "Region",
      "Manager",
      "Last ping",
    ]);
    await expect(amara.getByRole("definition").first()).toHaveText("Open");
    await expect(amara.getByRole("definition").nth(1)).toContainText("Ping");

    const noSidewaysScroll = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    const toggle = page.getByRole("button", { name: /^Filters and sort/ });
    await expect(toggle).toHaveAttribute("aria-expanded", "false");
    await expect(findings.statusFilter).toBeHidden();
    expect(await noSidewaysScroll()).toBe(true);
    await page.screenshot({ path: "test-results/screenshots/findings-phone.png", fullPage: true });

    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await findings.filterByStatus("Open");
    await expect(toggle).toHaveAccessibleName("Filters and sort (1 active)");
    await expect(findings.filterChip("Status: Open")).toBeVisible();
    expect(await noSidewaysScroll()).toBe(true);
    await page.screenshot({ path: "test-results/screenshots/findings-phone-filters.png", fullPage: true });
  });
});
