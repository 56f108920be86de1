/**
 * Page performance figures (not part of `npm test`): server response time of the dashboard's pages under
 * concurrent load, and the JavaScript each page makes a browser load first.
 *
 *   npm run bench:pages                       # 2,000 and 10,000 people, one after the other
 *   npm run bench:pages -- --people 10000 --rounds 3 --profile
 *
 * For each org size (`--people`, a comma-separated list):
 * 1. Starts the demo stack (`scripts/demo.ts`, which builds the app when the build is stale) with a
 *    generated org of that many people and a sandbox PagerDuty without latency, in its own data directory.
 * 2. Signs in as the Support Operations Manager (demo sign-in), opens the current audit, runs it and pings
 *    everyone through the API, as the dashboard's buttons do.
 * 3. Loads every page unmeasured for `--warm-up` seconds (3 by default), so that what is measured is a
 *    server in use, not one compiling its code. Then, for each page (the bare page, the floor, overview,
 *    findings first page, findings filtered, sorted and paged, a person) sends requests over 10 connections
 *    for 10 s with autocannon (accepting gzip, as a browser does) and prints requests, p50, p95, p99,
 *    errors and the server's CPU time per request. Any response with another status than the page's (200;
 *    a redirect to the sign-in page included) counts as an error. The floor is a signed-in page with
 *    nothing of its own (an unknown audit: the not-found page inside the layout, status 404), what every
 *    page pays before its content. Below it, the bare page is what any dynamic page of this app costs in
 *    Next: the sign-in error page (the root layout and a heading, no session, no database). `--rounds`
 *    loads every page that many times in turn and keeps the median of each figure (a busy machine's
 *    latency varies from run to run).
 * 4. First-load JS: the `<script src>` chunks of each page's HTML, summed raw and gzipped.
 *
 * Last, one table: each page's p50, p95 and CPU per request at each size, with its CPU as a multiple of the
 * floor's, against the goals (findings: p95 ≤ 150 ms at 10 connections and ≤ 10 ms of server CPU per
 * request, at every size), "ok" or "MISSED".
 *
 * `--profile` runs `next start` with `--cpu-prof` and prints the functions with the most self time across
 * the load (files under node_modules grouped by package).
 *
 * `--webpack` builds the dashboard with `next build --webpack` when the build is stale, before the demo
 * stack starts (which then finds it current): Turbopack, the default, cannot build a checkout whose
 * node_modules is a symbolic link to another checkout's, as in a git worktree sharing one install.
 *
 * `--page <name=path>` (repeatable) loads another path as well;
 * `:audit` in it stands for the opened audit's id.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { Command, InvalidArgumentError } from "commander";
import { PAGE_SIZE } from "../app/(dashboard)/audits/[auditId]/findings/_lib/params";
import { stampBuild, staleBuildInputs } from "./build-stamp";

interface BenchOptions {
  port: number;
  people: number[];
  rounds: number;
  duration: number;
  connections: number;
  dataDir: string;
  warmUp: number;
  profile: boolean;
  only?: string;
  webpack: boolean;
  page: ExtraPage[];
}

interface ExtraPage {
  name: string;
  path: string;
}

interface Page {
  /** The page's name in the summary (the same at every size). */
  name: string;
  /** What this size's run loads (the person's findings, the page number). */
  detail: string;
  path: string;
  /** Goals, where the issue sets them. */
  goal: Goal | null;
  /** Text the page must show (checked while warming up), where its status alone does not say it is the page. */
  shows?: string;
  /** The status it answers with: 200 unless said. */
  status?: number;
}

const statusOf = (page: Page): number => page.status ?? 200;

interface Goal {
  p95Ms: number;
  cpuMsPerRequest: number;
}

interface LoadFigures {
  requests: number;
  /** Server CPU time per request (null without /proc). */
  cpuMsPerRequest: number | null;
  p50: number;
  p95: number;
  p99: number;
  /** Responses with another status than the page's (a redirect to the sign-in page included). */
  unexpected: number;
  errors: number;
  /** Loads (rounds) that got no answer at all: the server stalled for the whole load. */
  silentRounds: number;
}

const FLOOR = "floor";
/**
 * The least a dashboard page costs: a signed-in request for an audit that does not exist, answered with the
 * not-found page inside the dashboard's layout. It pays what every page pays (Next's own handling and
 * rendering, the session, the layout, one read of the audits, compression) and renders nothing of its own.
 */
const FLOOR_PAGE: Page = {
  name: FLOOR,
  detail: "nothing of its own",
  path: "/audits/00000000-0000-0000-0000-000000000000/findings",
  goal: null,
  shows: "This audit or person does not exist",
  status: 404,
};

const BARE = "bare page";
/**
 * The least any dynamic page of this app costs in Next, for telling Next's share of the floor from the
 * dashboard's: the sign-in error page, rendered per request (it reads the query) in the root layout only,
 * with no session and no database read.
 */
const BARE_PAGE: Page = {
  name: BARE,
  detail: "Next's least",
  path: "/sign-in/error?error=Unknown",
  goal: null,
  shows: "Sign-in failed",
};

/** The findings page's goals at every org size, at 10 connections. */
const FINDINGS_GOAL: Goal = { p95Ms: 150, cpuMsPerRequest: 10 };
const OPS_MANAGER_TITLE = "Support Operations Manager";
const START_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 5 * 60_000;
const RESPONSE_TIMEOUT_S = 60;

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive whole number");
  return n;
}

function parseSizes(value: string): number[] {
  return value.split(",").map((part) => parsePositive(part.trim()));
}

function parseExtraPage(value: string, previous: ExtraPage[]): ExtraPage[] {
  const at = value.indexOf("=");
  const name = value.slice(0, at).trim();
  const pagePath = value.slice(at + 1).trim();
  if (at < 1 || !name || !pagePath.startsWith("/")) throw new InvalidArgumentError("expected name=/path");
  return [...previous, { name, path: pagePath }];
}

const options = new Command()
  .name("bench-pages")
  .option("--port <port>", "dashboard port (on 127.0.0.1)", parsePositive, 3300)
  .option(
    "--people <counts>",
    "people in the generated org, one run per size (comma-separated)",
    parseSizes,
    [2000, 10_000],
  )
  .option(
    "--rounds <count>",
    "load each page this many times and keep the median of each figure",
    parsePositive,
    1,
  )
  .option("--duration <seconds>", "load per page", parsePositive, 10)
  .option(
    "--warm-up <seconds>",
    "unmeasured load on every page first (0: none)",
    (value: string) => (value === "0" ? 0 : parsePositive(value)),
    3,
  )
  .option("--connections <count>", "concurrent connections", parsePositive, 10)
  .option(
    "--data-dir <dir>",
    "the stacks' data directory (one folder per size, emptied first)",
    path.join("data", "bench-pages"),
  )
  .option("--profile", "CPU-profile the server and print where its time went", false)
  .option("--only <text>", "load only the pages whose name contains this (e.g. findings)")
  .option("--webpack", "build with `next build --webpack` when the build is stale (a git worktree)", false)
  .option(
    "--page <name=path>",
    "load this path too (`:audit` is the audit's id; repeatable)",
    parseExtraPage,
    [],
  )
  .parse()
  .opts<BenchOptions>();

const appUrl = `http://127.0.0.1:${options.port}`;
/** The current size's data directory and profile directory (one stack at a time). */
let dataDir = "";
let profileDir = "";

/**
 * Builds the dashboard with webpack unless the build in place is current, and stamps it as the demo script
 * does, so the demo script serves it instead of building again with Turbopack.
 */
function buildWithWebpackIfStale(): void {
  const root = process.cwd();
  const inputs = staleBuildInputs(root, process.env);
  if (inputs === null) return;
  console.error("Building the dashboard (next build --webpack)…");
  const result = spawnSync(
    process.execPath,
    [path.join("node_modules", "next", "dist", "bin", "next"), "build", "--webpack"],
    { stdio: ["ignore", 2, "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
  );
  if (result.status !== 0) throw new Error("the dashboard did not build (see above)");
  stampBuild(root, inputs);
}

/** Starts `scripts/demo.ts` with an org of `people` and resolves once the app answers its health check. */
async function startStack(people: number): Promise<ChildProcess> {
  dataDir = path.resolve(options.dataDir, String(people));
  profileDir = path.join(dataDir, "cpu-profiles");
  await rm(path.join(dataDir, "servers.json"), { force: true });
  await rm(profileDir, { recursive: true, force: true });
  const args = [
    "--import",
    "tsx",
    path.join("scripts", "demo.ts"),
    "--people",
    String(people),
    "--latency",
    "0",
    "--no-audit",
    "--fresh",
    "--port",
    String(options.port),
    "--data-dir",
    dataDir,
    ...(options.profile ? ["--cpu-prof", profileDir] : []),
  ];
  // The stack's own output (the build, the server's log) goes to stderr; stdout is for the figures.
  const stack = spawn(process.execPath, args, { stdio: ["ignore", 2, "inherit"] });
  let exited = false;
  stack.once("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error("the demo stack exited before the dashboard answered (see above)");
    if (existsSync(path.join(dataDir, "servers.json"))) {
      const health = await fetch(`${appUrl}/api/health`).catch(() => null);
      if (health?.ok) return stack;
    }
    await sleep(500);
  }
  stack.kill("SIGTERM");
  throw new Error(`the dashboard did not answer at ${appUrl} within ${START_TIMEOUT_MS / 60_000} minutes`);
}

async function stopStack(stack: ChildProcess): Promise<void> {
  if (stack.exitCode !== null || stack.signalCode !== null) return;
  const exited = new Promise((resolve) => stack.once("exit", resolve));
  stack.kill("SIGTERM");
  await exited;
}

/** Cookies from a response's Set-Cookie headers, merged into `jar`. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(";")[0] ?? "";
    const at = pair.indexOf("=");
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** Signs in with the demo sign-in as the roster's Support Operations Manager; returns the Cookie header. */
async function signIn(): Promise<string> {
  const roster = await readFile(path.join(dataDir, "scenario", "support-team.yaml"), "utf8");
  // The roster is YAML written by the scenario writer: the manager's email sits in the same entry.
  const entry = roster
    .split(/\n- /)
    .find((block) => new RegExp(`title: ${OPS_MANAGER_TITLE}\\n`).test(`${block}\n`));
  const email = entry?.match(/email: (\S+)/)?.[1];
  if (!email) throw new Error(`no ${OPS_MANAGER_TITLE} in the generated roster`);
  const jar = new Map<string, string>();
  const csrf = await fetch(`${appUrl}/api/auth/csrf`);
  keepCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const callback = await fetch(`${appUrl}/api/auth/callback/demo`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, person: email, callbackUrl: appUrl, json: "true" }),
  });
  keepCookies(jar, callback);
  if (![...jar.keys()].some((name) => name.endsWith("next-auth.session-token")))
    throw new Error(`the demo sign-in as ${email} failed (${callback.status})`);
  const session = await api<{ user?: { role?: string } }>(cookieHeader(jar), "GET", "/api/auth/session");
  if (session.user?.role !== "ops_manager")
    throw new Error(`signed in as ${email} but with the role ${session.user?.role ?? "none"}`);
  return cookieHeader(jar);
}

async function api<T>(cookie: string, method: "GET" | "POST", route: string, body: object = {}): Promise<T> {
  const response = await fetch(`${appUrl}${route}`, {
    method,
    headers: { cookie, origin: appUrl, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
    ...(method === "POST" ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

interface RunState {
  id: string;
  status: string;
  findingsCount: number;
}

/** Opens the current audit, runs it, waits for the run and pings everyone; returns the audit id. */
async function openAndRunAudit(cookie: string): Promise<{ auditId: string; findings: number }> {
  await api(cookie, "POST", "/api/audits");
  const overview = await api<{ current: { audit: { id: string } } | null }>(cookie, "GET", "/api/overview");
  const auditId = overview.current?.audit.id;
  if (!auditId) throw new Error("no current audit after opening one");
  const audit = encodeURIComponent(auditId);
  await api(cookie, "POST", `/api/audits/${audit}/runs`);
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    // A busy server may drop a poll (the run works in the same process): ask again at the next turn.
    const run = await api<RunState | null>(cookie, "GET", `/api/audits/${audit}/runs/latest`).catch(
      (error: unknown) => {
        if (error instanceof TypeError) return undefined;
        throw error;
      },
    );
    if (run === undefined) {
      await sleep(500);
      continue;
    }
    if (run && run.status !== "running") {
      if (run.status !== "complete") throw new Error(`the audit run ended ${run.status}`);
      // What Support Operations do next: export to the audit issue (pings are comments there) and ping
      // everyone, so pages show pings and the event log has them.
      await api(cookie, "POST", `/api/audits/${audit}/export`);
      await api(cookie, "POST", `/api/audits/${audit}/bulk`, { action: "ping" });
      return { auditId, findings: run.findingsCount };
    }
    await sleep(500);
  }
  throw new Error("the audit run did not finish in time");
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Linux reports process CPU time in clock ticks of 1/100 s. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) used so far by the processes below `pid` (the dashboard server under the
 * demo script), from /proc; null where there is no /proc. Unlike latency, it hardly depends on what else
 * the machine is doing, so it compares runs on a busy machine.
 */
async function descendantsCpuMs(pid: number): Promise<number | null> {
  if (!existsSync(`/proc/${pid}`)) return null;
  let ticks = 0;
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const children = await readFile(`/proc/${next}/task/${next}/children`, "utf8").catch(() => "");
    for (const child of children.split(" ").filter(Boolean).map(Number)) {
      queue.push(child);
      const stat = await readFile(`/proc/${child}/stat`, "utf8").catch(() => "");
      // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * The moments the load was on, in µs of the monotonic clock: the server's CPU profile stamps its samples on
 * the same clock, so what it did outside the load (starting, running the audit) is left out of the summary.
 */
const loadWindows: { from: number; to: number }[] = [];

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Loads `page` over `connections` connections for `seconds`, calling `onResponse` with each response's
 * status and time.
 */
function runLoad(
  page: Page,
  cookie: string,
  seconds: number,
  onResponse: (status: number, ms: number) => void,
) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${appUrl}${page.path}`,
        connections: options.connections,
        duration: seconds,
        // A busy machine answers slowly: wait, so a slow page is measured rather than counted as an error.
        timeout: RESPONSE_TIMEOUT_S,
        // As a browser asks: the server compresses the page, which is part of its cost.
        headers: { cookie, accept: "text/html", "accept-encoding": "gzip, deflate, br" },
      },
      (error: unknown, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, status, _bytes, responseTime) => onResponse(status, responseTime));
  });
}

/** Checks that `page` answers as itself, three times (its first renders compile what it uses). */
async function checkPage(page: Page, cookie: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const warm = await fetch(`${appUrl}${page.path}`, { headers: { cookie }, redirect: "manual" });
    const body = await warm.text();
    if (warm.status !== statusOf(page))
      throw new Error(`${page.name} (${page.path}) answered ${warm.status}, not ${statusOf(page)}`);
    if (page.shows && !body.includes(page.shows))
      throw new Error(`${page.name} (${page.path}) does not show "${page.shows}"`);
  }
}

/** Loads one page over `connections` connections for `duration` seconds and measures it. */
async function loadPage(page: Page, cookie: string, serverPid: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  const cpuBefore = await descendantsCpuMs(serverPid);
  const window = { from: monotonicMicros(), to: Number.POSITIVE_INFINITY };
  loadWindows.push(window);
  // Every response's time, so p95 is exact (autocannon's own histogram reports p90 and p97.5).
  let unexpected = 0;
  const result = await runLoad(page, cookie, options.duration, (status, ms) => {
    latencies.push(ms);
    if (status !== statusOf(page)) unexpected += 1;
  });
  const cpuAfter = await descendantsCpuMs(serverPid);
  window.to = monotonicMicros();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    // Per response: the CPU of requests still unanswered when the load stops is counted too.
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || latencies.length === 0
        ? null
        : (cpuAfter - cpuBefore) / latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    unexpected,
    errors: result.errors + result.timeouts,
    silentRounds: latencies.length === 0 ? 1 : 0,
  };
}

interface ScriptSizes {
  /** The page's HTML itself (with the inlined RSC payload), raw bytes. */
  html: number;
  chunks: string[];
  raw: number;
  gzip: number;
}

/**
 * The `<script src>` chunks a page's HTML loads, with their sizes raw and gzipped. `noModule` scripts (the
 * polyfills for legacy browsers) are left out: a current browser does not fetch them.
 */
async function firstLoadScripts(
  page: Page,
  cookie: string,
  sizes: Map<string, { raw: number; gzip: number }>,
): Promise<ScriptSizes> {
  const html = await (await fetch(`${appUrl}${page.path}`, { headers: { cookie } })).text();
  const chunks = [
    ...new Set(
      [...html.matchAll(/<script\b[^>]*>/g)]
        .map((m) => m[0])
        .filter((tag) => !/\bnoModule\b/i.test(tag))
        .flatMap((tag) => {
          const src = tag.match(/\bsrc="([^"]+)"/)?.[1];
          return src ? [src.replaceAll("&amp;", "&")] : [];
        }),
    ),
  ];
  let raw = 0;
  let gzip = 0;
  for (const src of chunks) {
    let size = sizes.get(src);
    if (!size) {
      const body = Buffer.from(await (await fetch(new URL(src, appUrl))).arrayBuffer());
      size = { raw: body.length, gzip: gzipSync(body).length };
      sizes.set(src, size);
    }
    raw += size.raw;
    gzip += size.gzip;
  }
  return { html: Buffer.byteLength(html), chunks, raw, gzip };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * The server's CPU profiles, once written: the server writes its profile as it exits, which may be after
 * the demo script (which does not wait for it) has exited.
 */
async function waitForProfiles(): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    const files = existsSync(profileDir)
      ? (await readdir(profileDir)).filter((f) => f.endsWith(".cpuprofile"))
      : [];
    const sizes = (
      await Promise.all(files.map(async (f) => (await stat(path.join(profileDir, f))).size))
    ).join();
    if (files.length > 0 && sizes === last) return files;
    last = sizes;
    await sleep(1000);
  }
  return [];
}

/**
 * Self time by function across the server's CPU profiles, top `limit`, in ms: only the samples taken while
 * a page was under load (`loadWindows`).
 */
async function summarizeProfiles(limit: number): Promise<void> {
  const files = await waitForProfiles();
  if (files.length === 0) {
    console.log("No CPU profile was written (the server must exit cleanly to write one).");
    return;
  }
  const selfMs = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(profileDir, file), "utf8")) as {
      nodes: ProfileNode[];
      startTime: number;
      samples: number[];
      timeDeltas: number[];
    };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      const ms = delta / 1000;
      if (!node || !loadWindows.some((w) => w.from <= at && at <= w.to)) return;
      totalMs += ms;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
      const key = `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`.trim();
      selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
      const pkg =
        where.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
        (where.startsWith(".next/") ? ".next (app code)" : where ? "node / other" : functionName);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    });
  }
  const top = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, limit);
  console.log(
    "\nServer CPU profile (%d file(s)), %s s sampled while pages were under load",
    files.length,
    (totalMs / 1000).toFixed(1),
  );
  console.log("  self time by package:");
  for (const [name, ms] of top(byPackage)) console.log("    %s ms  %s", ms.toFixed(0).padStart(7), name);
  console.log("  self time by function:");
  for (const [name, ms] of top(selfMs)) console.log("    %s ms  %s", ms.toFixed(0).padStart(7), name);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const cpu = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(1)} ms`);

/**
 * The median of each figure over rounds of the same page (p50 of the p50s, and so on), over the rounds that
 * had an answer; a round without any (the server stalled for the whole load) leaves only its count.
 */
function medianFigures(rounds: readonly LoadFigures[]): LoadFigures {
  const answered = rounds.filter((f) => f.requests > 0);
  const median = (pick: (f: LoadFigures) => number) => {
    const sorted = answered.map(pick).sort((a, b) => a - b);
    return percentile(sorted, 50);
  };
  const cpus = answered.map((f) => f.cpuMsPerRequest);
  return {
    requests: answered.length === 0 ? 0 : median((f) => f.requests),
    cpuMsPerRequest:
      answered.length === 0 || cpus.some((c) => c === null) ? null : median((f) => f.cpuMsPerRequest ?? 0),
    p50: median((f) => f.p50),
    p95: median((f) => f.p95),
    p99: median((f) => f.p99),
    unexpected: rounds.reduce((sum, f) => sum + f.unexpected, 0),
    errors: rounds.reduce((sum, f) => sum + f.errors, 0),
    silentRounds: rounds.reduce((sum, f) => sum + f.silentRounds, 0),
  };
}

/** Whether `figures` meet `goal` (both latency and CPU; CPU unknown counts as missed). */
function meetsGoal(figures: LoadFigures, goal: Goal): boolean {
  return (
    figures.p95 <= goal.p95Ms &&
    figures.cpuMsPerRequest !== null &&
    figures.cpuMsPerRequest <= goal.cpuMsPerRequest &&
    figures.unexpected + figures.errors + figures.silentRounds === 0
  );
}

/** The pages of one audit, by what the run found. */
async function pagesOf(
  cookie: string,
  auditId: string,
): Promise<{ pages: Page[]; peopleWithFindings: number }> {
  const audit = encodeURIComponent(auditId);
  const people = await api<{ total: number; rows: { personKey: string; items: number }[] }>(
    cookie,
    "GET",
    `/api/audits/${audit}/people?sort=items&pageSize=10`,
  );
  const person = people.rows[0];
  if (!person) throw new Error("the audit run found no one to show on a person page");
  // The filtered view's last page: a search, a status filter and a sort other than by name.
  const filter = "q=e&status=pinged&sort=due";
  const filtered = await api<{ total: number }>(cookie, "GET", `/api/audits/${audit}/people?${filter}`);
  const lastPage = Math.max(1, Math.ceil(filtered.total / PAGE_SIZE));
  const pages: Page[] = [
    { name: "overview", detail: "", path: "/", goal: null },
    { name: "findings, first page", detail: "", path: `/audits/${audit}/findings`, goal: FINDINGS_GOAL },
    {
      name: "findings, filtered + sorted",
      detail: `last page, ${lastPage}`,
      path: `/audits/${audit}/findings?${filter}&page=${lastPage}`,
      goal: FINDINGS_GOAL,
    },
    {
      name: "person",
      detail: `${person.items} findings`,
      path: `/audits/${audit}/people/${encodeURIComponent(person.personKey)}`,
      goal: null,
    },
  ];
  for (const extra of options.page)
    pages.push({ name: extra.name, detail: "", path: extra.path.replaceAll(":audit", audit), goal: null });
  return {
    // The bare page and the floor are loaded whatever `--only` keeps: every page is measured against them.
    pages: [BARE_PAGE, FLOOR_PAGE, ...pages.filter((p) => !options.only || p.name.includes(options.only))],
    peopleWithFindings: people.total,
  };
}

/** One org size: start its stack, run the audit, load each page; the figures by page name. */
async function benchSize(people: number): Promise<Map<string, LoadFigures>> {
  const results = new Map<string, LoadFigures>();
  const stack = await startStack(people);
  try {
    const cookie = await signIn();
    const { auditId, findings } = await openAndRunAudit(cookie);
    const { pages, peopleWithFindings } = await pagesOf(cookie, auditId);
    console.log(
      "\nPages under load: %d people (generated org), audit %s run (%d findings, %d people with findings)",
      people,
      auditId,
      findings,
      peopleWithFindings,
    );
    console.log(
      "autocannon, %d connections, %d s per page, %d round(s) (median of each figure), signed in as the %s",
      options.connections,
      options.duration,
      options.rounds,
      OPS_MANAGER_TITLE,
    );
    // Unmeasured: the server's first seconds under load compile the code the pages run and collect what the
    // audit run left. Without it, at 2,000 people, the first of three rounds cost 0.9–3.6× the third's CPU
    // per request, the pages measured first the most (the floor 2.6×): the floor was overstated.
    for (const page of pages) {
      await checkPage(page, cookie);
      if (options.warmUp > 0) await runLoad(page, cookie, options.warmUp, () => {});
    }
    const rounds = new Map<string, LoadFigures[]>(pages.map((page) => [page.name, []]));
    // Rounds go through every page in turn, so a burst of load from elsewhere does not hit one page only.
    for (let round = 0; round < options.rounds; round++) {
      for (const page of pages) rounds.get(page.name)?.push(await loadPage(page, cookie, stack.pid ?? 0));
    }
    for (const page of pages) {
      const figures = medianFigures(rounds.get(page.name) ?? []);
      results.set(page.name, figures);
      console.log(
        "  %s: %d requests, p50 %s, p95 %s, p99 %s, unexpected status %d, errors %d, server CPU %s/request%s",
        `${page.name}${page.detail ? ` (${page.detail})` : ""}`.padEnd(42),
        figures.requests,
        ms(figures.p50),
        ms(figures.p95),
        ms(figures.p99),
        figures.unexpected,
        figures.errors,
        cpu(figures.cpuMsPerRequest),
        figures.silentRounds > 0 ? ` (${figures.silentRounds} round(s) without any answer)` : "",
      );
    }

    console.log("First-load JS (the <script src> chunks of each page's HTML; gzip level 6)");
    const sizes = new Map<string, { raw: number; gzip: number }>();
    for (const page of pages) {
      const scripts = await firstLoadScripts(page, cookie, sizes);
      console.log(
        "  %s: %d chunks, %s raw, %s gzipped (the HTML itself: %s)",
        page.name.padEnd(42),
        scripts.chunks.length,
        kib(scripts.raw).padStart(10),
        kib(scripts.gzip).padStart(9),
        kib(scripts.html),
      );
    }
  } finally {
    await stopStack(stack);
  }
  if (options.profile) await summarizeProfiles(20);
  loadWindows.length = 0;
  return results;
}

if (options.webpack) buildWithWebpackIfStale();
const bySize = new Map<number, Map<string, LoadFigures>>();
for (const people of options.people) bySize.set(people, await benchSize(people));

const goalText = `${FINDINGS_GOAL.p95Ms} ms p95 and ${FINDINGS_GOAL.cpuMsPerRequest} ms CPU/request`;
console.log(
  "\nSummary at %d connections (p50 / p95 / server CPU per request; goal for findings: %s at every size)",
  options.connections,
  goalText,
);
console.log("  (× floor: the page's CPU per request against the floor's, at the same size)");
const names = [...new Set([...bySize.values()].flatMap((figures) => [...figures.keys()]))];
let missed = 0;
for (const name of names) {
  const goal = name.startsWith("findings") ? FINDINGS_GOAL : null;
  const cells = [...bySize].map(([people, figures]) => {
    const f = figures.get(name);
    if (!f) return `${people}: -`;
    const verdict = goal === null ? "" : meetsGoal(f, goal) ? "  ok" : "  MISSED";
    if (verdict === "  MISSED") missed += 1;
    const floor = figures.get(FLOOR)?.cpuMsPerRequest ?? null;
    const ratio =
      name === FLOOR || name === BARE || floor === null || f.cpuMsPerRequest === null
        ? ""
        : ` (${(f.cpuMsPerRequest / floor).toFixed(2)}× floor)`;
    return `${people.toLocaleString("en")} people: ${ms(f.p50)} / ${ms(f.p95)} / ${cpu(f.cpuMsPerRequest)}${ratio}${verdict}`;
  });
  console.log("  %s %s", name.padEnd(28), cells.join("   "));
}
for (const [people, figures] of bySize) {
  const bare = figures.get(BARE)?.cpuMsPerRequest ?? null;
  const floor = figures.get(FLOOR)?.cpuMsPerRequest ?? null;
  if (bare === null || floor === null) continue;
  console.log(
    "  At %s people the floor's %s is Next's bare page (%s) and %s of session, layout and the audits' read",
    people.toLocaleString("en"),
    cpu(floor),
    cpu(bare),
    cpu(floor - bare),
  );
}
if (missed > 0) console.log("%d findings figure(s) MISSED the goal (%s)", missed, goalText);
