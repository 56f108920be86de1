import { expect, type Locator, type Page } from "@playwright/test";

export class SignOffPage {
  constructor(private readonly page: Page) {}

  /** Opens the audit's Sign-off page from the main navigation. */
  async goto(): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign-off" }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Sign-off" })).toBeVisible();
  }

  get signOffButton(): Locator {
    return this.page.getByRole("button", { name: "Sign off" });
  }

  get overrideReason(): Locator {
    return this.page.getByLabel("Override reason");
  }

  /** Signs the audit off, giving `overrideReason` for the findings still unaddressed, and confirms. */
  async signOff(overrideReason: string): Promise<void> {
    await this.overrideReason.fill(overrideReason);
    await this.signOffButton.click();
    const dialog = this.page.getByRole("dialog", { name: "Sign off the audit?" });
    await expect(dialog).toContainText(overrideReason);
    await dialog.getByRole("button", { name: /^Sign off/ }).click();
    await expect(this.page.getByText("The audit is read-only.")).toBeVisible();
  }

  /** The audit's API path (`/api/audits/{id}`), read from this page's URL. */
  auditApiPath(): string {
    return new URL(this.page.url()).pathname.replace(/^\/audits/, "/api/audits").replace(/\/sign-off$/, "");
  }
}
