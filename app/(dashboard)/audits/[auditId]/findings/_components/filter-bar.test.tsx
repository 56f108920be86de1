import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: () => undefined }),
  usePathname: () => "/audits/a1/findings",
}));

const { FilterBar } = await import("./filter-bar");

function managerOptions(manager: string | undefined, managers: string[]): string[] {
  const html = renderToStaticMarkup(
    <FilterBar params={{ manager }} facets={{ regions: [], managers, codes: [] }} />,
  );
  const menu = html.match(/<select [^>]*name="manager"[^>]*>(.*?)<\/select>/)?.[1] ?? "";
  return [...menu.matchAll(/<option[^>]*>[^<]*<\/option>/g)].map((m) => m[0]);
}

describe("the findings filter menus", () => {
  it("send a name once, as the option's text, and still show the chosen one", () => {
    const options = managerOptions("Ana Lee", ["Ana Lee", "Bo Chen"]);
    expect(options).toEqual([
      '<option value="">Any manager</option>',
      '<option selected="">Ana Lee</option>',
      "<option>Bo Chen</option>",
    ]);
  });

  it("keep the value where the browser would read the text otherwise (spaces it collapses or trims)", () => {
    const options = managerOptions("Bo  Chen", ["Bo  Chen", " Cy", "Dee "]);
    expect(options.slice(1)).toEqual([
      '<option value="Bo  Chen" selected="">Bo  Chen</option>',
      '<option value=" Cy"> Cy</option>',
      '<option value="Dee ">Dee </option>',
    ]);
  });
});
