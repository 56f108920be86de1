import type { Locator, Page, Request } from "@playwright/test";
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

/**
 * The row's cells as a narrow screen shows them, in reading order (top to bottom, left to right): each
 * one's visible label and the value under it. The person's and the findings' cells (a link, a list) have no
 * label and are left out.
 */
async function visibleFields(
  row: Locator,
): Promise<{ label: string; value: string; top: number; left: number }[]> {
  const cells = await row.getByRole("cell").evaluateAll((elements) =>
    elements.flatMap((cell) => {
      if (cell.querySelector("a, ul")) return [];
      const box = cell.getBoundingClientRect();
      // innerText: what is on screen, each block on its own line; the label is the first line.
      const [label = "", ...value] = (cell as HTMLElement).innerText.split("\n");
      return [{ label, value: value.join(" ").trim(), top: box.top, left: box.left }];
    }),
  );
  return cells.filter((cell) => cell.value !== "").toSorted((a, b) => a.top - b.top || a.left - b.left);
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

    // At table width each value stands alone under its column's header (a card's labels are not shown).
    await expect(findings.columnHeader("Status")).toBeVisible();
    const amaraRow = findings.row(AMARA.name);
    await expect(amaraRow.getByRole("cell").nth(4)).toHaveText("Open", { useInnerText: true });
    const rowBox = await amaraRow.boundingBox();
    const statusBox = await amaraRow.getByRole("cell").nth(4).boundingBox();
    expect(statusBox?.y).toBe(rowBox?.y);

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

    // The table's rows laid out as cards: the headers fold away (the filter menu sorts), each value is
    // shown under its label, status and next action first, and no card is wider than the screen.
    await expect(findings.table.getByRole("row").first()).toBeVisible();
    await expect(findings.columnHeader("Person")).toBeHidden();
    const amara = findings.row(AMARA.name);
    const card = await amara.boundingBox();
    expect(card?.width).toBeLessThanOrEqual(390);
    const fields = await visibleFields(amara);
    expect(fields.map((field) => field.label)).toEqual([
      "Status",
      "Next action",
      "Region",
      "Manager",
      "Last ping",
    ]);
    expect(fields[0]?.value).toBe("Open");
    expect(fields[1]?.value).toContain("Ping");
    // Two to a line, below the person's name and findings.
    expect(fields[0]?.top).toBe(fields[1]?.top);
    expect(fields[0]?.left).toBeLessThan(fields[1]?.left ?? 0);
    expect(fields[2]?.top).toBeGreaterThan(fields[0]?.top ?? 0);
    const name = await amara.getByRole("link", { name: AMARA.name }).boundingBox();
    const chips = await amara.getByRole("list", { name: /findings?$/ }).boundingBox();
    expect(name?.y).toBeLessThan(chips?.y ?? 0);
    expect(chips?.y).toBeLessThan(fields[0]?.top ?? 0);

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
