/**
 * Performance figures (not part of `npm test`): prints what it measures, with the targets beside them.
 *
 *   npm run bench                                   # every section, about 13 minutes
 *   npm run bench -- --only full,floor,old,ratelimit,pastlimit,checker,pages
 *   npm run bench -- --only ratelimit --rpm 960     # the client allowing itself 960 requests a minute
 *
 * Sections (scripts/bench/*.ts):
 * - `full`: a full audit over HTTP against the sandbox PagerDuty at 100 ms latency, 2,000 people, 3,000
 *   PagerDuty users, 60 schedules (v2 and v3 mixed): requests against the minimum, wall time. Targets:
 *   ≤ 3 s, ≤ 1.1× the minimum.
 * - `floor`: the CLI as installed (compiled first), spawned against the same org and sandbox, alternately
 *   with a bare client fetching only the minimum requests with the same requests in flight, each process
 *   timed from spawn to exit, five runs each. Target: CLI ≤ 1.25× the floor (medians), with where the
 *   CLI's time goes (first request, roster read, last answer, exit).
 * - `old`: the same org read the old script's way, one request at a time, as a ratio to `full` (which it
 *   therefore also runs); about 3.5 minutes.
 * - `ratelimit`: a full audit of an org needing more than 960 requests against a sandbox enforcing 960
 *   requests a minute; over a minute. Targets: complete, no 429 escaping to the audit, ≤ 960 a minute.
 * - `pastlimit`: full audits over HTTP of a 12,000-user account, past PagerDuty's 10,000-record pagination
 *   limit, with a 2,000- and a 100-person roster: the report against a whole-list read, requests against
 *   the minimum for the path the client takes. Targets: the same report, ≤ 1.1× the minimum.
 * - `checker`: the checker alone on 10k, 50k and 100k people, 5 fresh processes each. Target: 100k in under
 *   800 ms (median), linear growth.
 * - `pages`: the dashboard's pages under load at 2,000 and 10,000 people (`scripts/bench-pages.ts`, which
 *   `npm run bench:pages` runs alone with more options); about 7 minutes. Each page's CPU is also given
 *   against the floor's, a signed-in page with nothing of its own. Targets: the findings page's p95 ≤ 150 ms
 *   at 10 connections and ≤ 10 ms of server CPU per request, at both sizes.
 *
 * Exits 1 when the rate-limit or past-limit targets are missed, or a floor run fails (a correctness failure, not noise).
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { benchChecker } from "./bench/checker";
import { benchFloor } from "./bench/floor";
import { benchFullAudit } from "./bench/full-audit";
import { benchOldWay } from "./bench/old-way";
import { benchPastLimit } from "./bench/past-limit";
import { benchRateLimit } from "./bench/rate-limit";

const SECTIONS = ["full", "floor", "old", "ratelimit", "pastlimit", "checker", "pages"] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rpm: { type: "string" },
  },
});
const only = values.only?.split(",").map((s) => s.trim()) ?? [...SECTIONS];
const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length > 0) {
  console.error("unknown section(s): %s; sections: %s", unknown.join(", "), SECTIONS.join(", "));
  process.exit(2);
}
const sections = new Set(only as Section[]);
const rpm = values.rpm === undefined ? undefined : Number(values.rpm);
if (rpm !== undefined && !(Number.isInteger(rpm) && rpm > 0)) {
  console.error("--rpm needs a positive whole number of requests per minute");
  process.exit(2);
}

if (sections.has("full") || sections.has("old")) {
  const newWay = await benchFullAudit();
  if (sections.has("old")) await benchOldWay(newWay);
}
if (sections.has("floor") && !(await benchFloor())) process.exitCode = 1;
if (sections.has("ratelimit") && !(await benchRateLimit(rpm))) process.exitCode = 1;
if (sections.has("pastlimit") && !(await benchPastLimit())) process.exitCode = 1;
if (sections.has("checker")) benchChecker();
// Its own process: it starts the dashboard's server and measures that process's CPU, not this one's.
if (sections.has("pages")) {
  const pages = spawnSync(process.execPath, ["--import", "tsx", "scripts/bench-pages.ts"], {
    stdio: "inherit",
  });
  if (pages.status !== 0) process.exitCode = 1;
}
