import { expect, test as setup } from "@playwright/test";
import { PEOPLE, storageStateOf } from "./fixtures";

// Signs in once per role through the demo sign-in page and saves the session for the specs.
for (const [role, person] of Object.entries(PEOPLE)) {
  setup(`sign in as ${role} (${person})`, async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByRole("button", { name: new RegExp(`^Sign in as ${person}`) }).click();
    await expect(page.getByRole("navigation")).toBeVisible();
    await expect(page.getByText(person).first()).toBeVisible();
    await page.context().storageState({ path: storageStateOf(role as keyof typeof PEOPLE) });
  });
}
