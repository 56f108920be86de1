import { expect, type Locator, type Page } from "@playwright/test";

export class SignOffPage {
  constructor(private readonly page: Page) {}

  /** Opens the audit's Sign-off page from the main navigation. */
  async goto(): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign-off" }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Sign-off" })).toBeVisible();
  }

  /** The reviewer's decision, one radio button each. */
  decision(name: "Approve" | "Request changes"): Locator {
    return this.page.getByRole("group", { name: "Your decision" }).getByRole("radio", { name });
  }

  /** The one comment box both decisions share (the override reason when approving unaddressed findings). */
  get comment(): Locator {
    return this.page.getByRole("textbox", { name: "Comment", exact: true });
  }

  get signOffButton(): Locator {
    return this.page.getByRole("button", { name: "Sign off", exact: true });
  }

  get requestChangesButton(): Locator {
    return this.page.getByRole("button", { name: "Request changes", exact: true });
  }

  get submitForReviewButton(): Locator {
    return this.page.getByRole("button", { name: "Submit for review" });
  }

  /** The reviewer's send-back while it is the audit's last word (the sign-off page and the overview show it). */
  get sentBackNotice(): Locator {
    return this.page.getByRole("region", { name: "Sent back for more work" });
  }

  /** Support Operations hand the audit to the reviewer. */
  async submitForReview(): Promise<void> {
    await this.submitForReviewButton.click();
    await expect(this.page.getByRole("status").filter({ hasText: "Submitted for review" })).toBeVisible();
    await expect(this.submitForReviewButton).toHaveCount(0);
  }

  /** The reviewer requests changes: chooses it, says what needs doing, and sends the audit back. */
  async requestChanges(comment: string): Promise<void> {
    await this.decision("Request changes").check();
    await this.comment.fill(comment);
    await this.requestChangesButton.click();
    await expect(this.sentBackNotice).toContainText(comment);
  }

  /**
   * Approves: signs the audit off, giving `overrideReason` (when some findings are unaddressed) in the
   * comment box, checks what the confirmation says will happen, and confirms.
   */
  async signOff(overrideReason?: string): Promise<void> {
    await this.decision("Approve").check();
    if (overrideReason !== undefined) await this.comment.fill(overrideReason);
    await this.signOffButton.click();
    const dialog = this.page.getByRole("dialog", { name: "Sign off the audit?" });
    await expect(dialog).toContainText("The audit becomes read-only");
    if (overrideReason !== undefined) await expect(dialog).toContainText(overrideReason);
    await dialog.getByRole("button", { name: /^Sign off/ }).click();
    await expect(this.page.getByText("The audit is read-only.")).toBeVisible();
  }

  /** The audit's API path (`/api/audits/{id}`), read from this page's URL. */
  auditApiPath(): string {
    return new URL(this.page.url()).pathname.replace(/^\/audits/, "/api/audits").replace(/\/sign-off$/, "");
  }
}
