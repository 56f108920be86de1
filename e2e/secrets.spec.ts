import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "./fixtures";
import { readServers } from "./servers";

/**
 * Secrets stay on the server: neither the client bundle nor anything the app sends to a browser holds a
 * token. The demo serves the app with the sandbox tokens as PD_TOKEN, GL_TOKEN and SLACK_BOT_TOKEN, so their values are
 * known here and can be looked for.
 */

/** Names that only server code may mention; in a client chunk they mean a server module leaked. */
const SERVER_ONLY_MARKERS = [
  "PD_TOKEN",
  "GL_TOKEN",
  "NEXTAUTH_SECRET",
  "GITLAB_CLIENT_SECRET",
  "PRIVATE-TOKEN",
  "better-sqlite3",
];

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test.describe("secrets", () => {
  test.use({ role: "opsManager" });

  test("no token or server-only module in the client bundle", async () => {
    const servers = await readServers();
    const files = await listFiles(path.join(".next", "static"));
    const scripts = files.filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const file of files) {
      const text = await readFile(file, "utf8");
      for (const needle of [servers.token, servers.gitlabToken, servers.slackToken, ...SERVER_ONLY_MARKERS]) {
        if (text.includes(needle)) leaks.push(`${path.relative(".next", file)}: ${needle}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  test("no token in any page, script or API response a signed-in user receives", async ({ page, demo }) => {
    const servers = await readServers();
    const tokens = [servers.token, servers.gitlabToken, servers.slackToken];
    const bodies: { url: string; text: string }[] = [];
    page.on("response", (response) => {
      const url = response.url();
      if (!url.startsWith(servers.app)) return;
      bodies.push({ url, text: "" });
      const entry = bodies[bodies.length - 1]!;
      void response
        .text()
        .then((text) => {
          entry.text = text;
        })
        .catch(() => {});
    });

    const overview = await demo.freshAudit();
    await overview.gotoFindings();
    await page.getByRole("table").getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    for (const name of ["Schedules", "Sign-off", "Overview"]) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }
    await page.waitForLoadState("networkidle");

    const api = await page.request.get(`${servers.app}/api/overview`);
    bodies.push({ url: api.url(), text: await api.text() });
    const answered = bodies.filter((b) => b.text !== "");
    expect(answered.filter((b) => b.url.includes("/_next/static/")).length).toBeGreaterThan(5);
    expect(answered.filter((b) => b.url.includes("/api/")).length).toBeGreaterThan(1);
    const leaks = answered.flatMap((b) => tokens.filter((t) => b.text.includes(t)).map(() => b.url));
    expect(leaks).toEqual([]);
  });
});
