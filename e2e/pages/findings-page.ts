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
}
