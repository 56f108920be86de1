import { expect, type Locator, type Page } from "@playwright/test";

export class FindingsPage {
  constructor(private readonly page: Page) {}

  get table(): Locator {
    return this.page.getByRole("table");
  }

  row(name: string): Locator {
    return this.table.getByRole("row").filter({ has: this.page.getByRole("link", { name }) });
  }

  async filterByStatus(label: string): Promise<void> {
    await this.page.getByLabel("Status").selectOption({ label });
    await expect(this.page).toHaveURL(/status=/);
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel(/Search/).fill(text);
    await expect(this.page).toHaveURL(new RegExp(`q=${encodeURIComponent(text)}`));
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
