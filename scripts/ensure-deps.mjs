// Installs the project's dependencies when they are missing or older than package-lock.json, so that the
// README's commands work on a fresh clone with nothing but Node and npm. A node_modules that links to
// another checkout's is that checkout's to install: `npm ci` here would empty it through the link (every
// checkout sharing it loses its packages) and then replace the link with a folder of its own.
import { execSync } from "node:child_process";
import { existsSync, lstatSync, statSync } from "node:fs";

const marker = "node_modules/.package-lock.json";
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync("package-lock.json").mtimeMs;
const linked = existsSync("node_modules") && lstatSync("node_modules").isSymbolicLink();
if (stale && linked) {
  console.error(
    "warning: node_modules is a link to another checkout's and may be out of date; install there.",
  );
} else if (stale) {
  console.error("Installing dependencies (npm ci)…");
  execSync("npm ci --no-audit --no-fund", { stdio: "inherit" });
}
