import { expect, type Locator, type Page } from "@playwright/test";

export class FindingsPage {
  constructor(private readonly page: Page) {}

  /**
   * The table's rows of people (its body: the headers' sort links are not people). A row per person at
   * every width: a line of the table on a wide screen, a card on a narrow one.
   */
  get table(): Locator {
    return this.page.getByRole("table").locator("tbody");
  }

  /** A column header of the table (its name also says what activating its sort link does). */
  columnHeader(label: string): Locator {
    return this.page.getByRole("table").getByRole("columnheader", { name: new RegExp(`^${label}\\b`) });
  }

  /** The row (or card) of the person named `name`. */
  row(name: string): Locator {
    return this.table.getByRole("row").filter({ has: this.page.getByRole("link", { name }) });
  }

  /** The Status filter menu. */
  get statusFilter(): Locator {
    return this.page.getByLabel("Status", { exact: true });
  }

  async filterByStatus(label: string): Promise<void> {
    await this.statusFilter.selectOption({ label });
    await expect(this.page).toHaveURL(/status=/);
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole("searchbox", { name: "Search" }).fill(text);
    await expect(this.page).toHaveURL(new RegExp(`q=${encodeURIComponent(text)}`));
  }

  /** Sorts by a column with the keyboard (its header's link), and waits for the list in that order. */
  async sortBy(label: string, direction: "ascending" | "descending"): Promise<void> {
    const link = this.columnHeader(label).getByRole("link");
    await link.focus();
    await this.page.keyboard.press("Enter");
    await expect(this.columnHeader(label)).toHaveAttribute("aria-sort", direction);
  }

  /** The chip of an active filter ("Status: Open"), a link that removes it. */
  filterChip(text: string): Locator {
    return this.page.getByRole("link", { name: `${text}, remove this filter` });
  }

  async openPerson(name: string): Promise<void> {
    await this.table.getByRole("link", { name }).click();
    await expect(this.page.getByRole("heading", { level: 1, name })).toBeVisible();
  }

  /** Reads the audit issue's comments for replies; returns the page's answer ("1 new reply on the issue."). */
  async checkReplies(): Promise<Locator> {
    await this.page.getByRole("button", { name: "Check replies" }).click();
    const outcome = this.page.getByRole("status").filter({ hasText: /repl(y|ies) on the issue/ });
    await expect(outcome).toBeVisible();
    return outcome;
  }
}
