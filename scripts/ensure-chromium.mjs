// The e2e tests drive the system's Chromium (Debian's `chromium` package); browsers are never downloaded.
// Installs it with apt when it is missing, as root does on a fresh CI machine.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing at ${path}: install Debian's chromium package, or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.error("Installing Chromium (apt-get install chromium)…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", {
    stdio: "inherit",
  });
}
