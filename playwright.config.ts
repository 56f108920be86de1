import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests: the built dashboard and the sandbox PagerDuty, started by the demo script on loopback,
 * driven by Debian's Chromium (no browser download). One worker: the specs share one server and reset it.
 */
/** `E2E_PORT` lets two checkouts run their e2e side by side; 3100 by default. */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
  projects: [
    // No trace for the sign-ins: finishing a trace can stall the context's teardown past the timeout
    // (microsoft/playwright#16143, #18016), as it did once here, and every spec then went unrun.
    { name: "setup", testMatch: /.*\.setup\.ts/, use: { trace: "off" } },
    { name: "chromium", testMatch: /.*\.spec\.ts/, dependencies: ["setup"] },
  ],
  webServer: {
    command: `node --import tsx scripts/demo.ts --port ${PORT} --data-dir data/e2e --fresh --no-audit`,
    url: `http://127.0.0.1:${PORT}/sign-in`,
    timeout: 240_000,
    reuseExistingServer: false,
    // No reply sweep ("Check replies" reads a reply a test posts); autopilot looks every second.
    env: { AUDIT_REPLY_SWEEP_MINUTES: "0", AUDIT_AUTOPILOT_TICK_SECONDS: "1" },
    stdout: "pipe",
    stderr: "pipe",
  },
});
