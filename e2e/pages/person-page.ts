import { expect, type Locator, type Page } from "@playwright/test";

export class PersonPage {
  constructor(private readonly page: Page) {}

  status(text: string): Locator {
    return this.page.getByText(text, { exact: true }).first();
  }

  /** The entries of the person's activity whose label is `label` ("Pinged", "Reply received", …). */
  timelineEntry(label: string): Locator {
    return this.page
      .getByRole("list", { name: "Activity" })
      .getByRole("listitem")
      .filter({ has: this.page.getByText(label, { exact: true }) });
  }

  async ping(): Promise<void> {
    await this.page.getByRole("button", { name: /^Ping/ }).click();
    await expect(this.status("Pinged")).toBeVisible();
  }

  async escalate(): Promise<void> {
    await this.page.getByRole("button", { name: "Escalate" }).click();
    await expect(this.status("Escalated")).toBeVisible();
  }

  async markIntentional(justification: string): Promise<void> {
    await this.page.getByLabel("Justification").first().fill(justification);
    await this.page.getByRole("button", { name: "Mark intentional" }).first().click();
    await expect(this.status("Intentional")).toBeVisible();
  }
}
