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

  /** Pings: opens the dialog, waits for the comment's preview (with `note`, when given), and sends it. */
  async ping(note?: string): Promise<void> {
    await this.page.getByRole("button", { name: /^Ping/ }).click();
    await this.sendChaseComment(note);
    await expect(this.status("Pinged")).toBeVisible();
  }

  /** Escalates as `ping` pings: preview, optional note, Send. */
  async escalate(note?: string): Promise<void> {
    await this.page.getByRole("button", { name: "Escalate", exact: true }).click();
    await this.sendChaseComment(note);
    await expect(this.status("Escalated")).toBeVisible();
  }

  /** The open ping or escalation dialog. */
  get chaseDialog(): Locator {
    return this.page.getByRole("dialog");
  }

  /** The comment the open dialog would post, once read for the note as typed. */
  async chasePreview(note?: string): Promise<Locator> {
    if (note !== undefined) await this.chaseDialog.getByLabel("Personal note (optional)").fill(note);
    const preview = this.chaseDialog.getByLabel("Comment preview");
    await expect(preview).toHaveAttribute("aria-busy", "false");
    return preview;
  }

  private async sendChaseComment(note?: string): Promise<void> {
    await this.chasePreview(note);
    await this.chaseDialog.getByRole("button", { name: "Send" }).click();
    await expect(this.chaseDialog).toBeHidden();
  }

  async markIntentional(justification: string): Promise<void> {
    await this.page.getByLabel("Justification").first().fill(justification);
    await this.page.getByRole("button", { name: "Mark intentional" }).first().click();
    await expect(this.status("Intentional")).toBeVisible();
  }
}
