import { readFile } from "node:fs/promises";
import path from "node:path";

/** What the demo script started for the e2e run (it writes this file before serving). */
export interface Servers {
  app: string;
  pagerduty: string;
  token: string;
  gitlab: string;
  gitlabToken: string;
}

export const E2E_DATA_DIR = path.join("data", "e2e");

export async function readServers(): Promise<Servers> {
  return JSON.parse(await readFile(path.join(E2E_DATA_DIR, "servers.json"), "utf8")) as Servers;
}

/** The sandbox PagerDuty data the demo started with. */
export async function readInitialPagerDutyState(): Promise<unknown> {
  return JSON.parse(await readFile(path.join(E2E_DATA_DIR, "scenario", "pagerduty-state.json"), "utf8"));
}
