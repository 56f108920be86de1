import { expect, type Locator, type Page } from "@playwright/test";

/** The Schedules page: each rotation's coverage, a jump list, and the "Problems only" / "Everyone" choice. */
export class SchedulesPage {
  constructor(private readonly page: Page) {}

  /** Opens the audit's Schedules page from the main navigation. */
  async goto(): Promise<void> {
    await this.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Schedules" })
      .click();
    await expect(this.page.getByRole("heading", { level: 1, name: "Schedules" })).toBeVisible();
  }

  /** Switches who is listed through the page's own link (a plain link: no script needed). */
  async show(label: "Problems only" | "Everyone"): Promise<void> {
    await this.showToggle(label).click();
    await expect(this.showToggle(label)).toHaveAttribute("aria-current", "true");
  }

  showToggle(label: "Problems only" | "Everyone"): Locator {
    return this.page.getByRole("navigation", { name: "Who to show" }).getByRole("link", { name: label });
  }

  get jumpList(): Locator {
    return this.page.getByRole("navigation", { name: "Rotations" });
  }

  /** The people listed in every rotation, in page order. */
  get people(): Locator {
    return this.page.getByRole("list", { name: /^People of / }).getByRole("listitem");
  }

  /** The listed people of one rotation, by its name. */
  peopleOf(rotation: string): Locator {
    return this.page.getByRole("list", { name: `People of ${rotation}` }).getByRole("listitem");
  }

  /** The page's full height and whether it is wider than the window (scrolls sideways). */
  async size(): Promise<{ height: number; overflowsSideways: boolean }> {
    return this.page.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      overflowsSideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    }));
  }
}
