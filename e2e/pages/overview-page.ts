import { expect, type Locator, type Page } from "@playwright/test";

export class OverviewPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { level: 1 })).toBeVisible();
  }

  /** Opens the current period's audit when none exists yet. */
  async openAudit(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Open ${name} audit` }).click();
    await expect(this.page.getByRole("button", { name: "Run audit" })).toBeVisible();
  }

  /** Runs the audit and waits, through the live progress, for it to finish. */
  async runAudit(): Promise<void> {
    await this.page.getByRole("button", { name: "Run audit" }).click();
    await expect(this.page.getByText(/Last run .*complete/i)).toBeVisible({ timeout: 45_000 });
  }

  /** From an empty dashboard: open the period's audit and run it to the end. */
  async openAndRunAudit(name: string): Promise<void> {
    await this.goto();
    await this.openAudit(name);
    await this.runAudit();
  }

  async gotoFindings(): Promise<void> {
    await this.page.getByRole("navigation").getByRole("link", { name: "Findings", exact: true }).click();
    // The overview may show a table of its own: wait for the findings page itself.
    await expect(this.page).toHaveURL(/\/audits\/[^/]+\/findings/);
    await expect(this.page.getByRole("table")).toBeVisible();
  }

  get exportButton(): Locator {
    return this.page.getByRole("button", { name: "Export to issue" });
  }

  /** The link to the audit's GitLab issue, shown once the audit was exported. */
  get issueLink(): Locator {
    return this.page.getByText("Audit issue:").getByRole("link");
  }

  /** Clicks "Export to issue" and waits for the preview; returns the dialog, still open. */
  async openExportPreview(): Promise<Locator> {
    await this.exportButton.click();
    const dialog = this.page.getByRole("dialog");
    await expect(dialog.getByLabel("Issue description")).toBeVisible();
    return dialog;
  }

  /** Exports the findings to the audit issue (preview, then confirm) and waits until GitLab has it. */
  async exportToIssue(): Promise<void> {
    const dialog = await this.openExportPreview();
    await dialog.getByRole("button", { name: /^(Create|Update) issue$/ }).click();
    await expect(dialog).toBeHidden();
    await expect(
      this.page.getByRole("status").filter({ hasText: /^Issue (created|updated):/ }),
    ).toBeVisible();
  }
}
