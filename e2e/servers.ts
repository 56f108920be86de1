import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Client } from "pg";
import { DEFAULT_TEST_DATABASE_URL } from "../lib/db/testing";
import { CONFIG_FILE } from "../sandbox/scenarios/write-scenario";

export { buildDemoAppEnv, type DemoAppSettings } from "../scripts/demo-app";

/** What the demo script started for the e2e run (it writes this file before serving). */
export interface Servers {
  app: string;
  pagerduty: string;
  token: string;
  gitlab: string;
  gitlabToken: string;
  /** The sandbox Slack: its URL (control routes under `/__sandbox/`), its Web API base and bot token. */
  slack: string;
  slackApiUrl: string;
  slackToken: string;
}

export const E2E_DATA_DIR = path.join("data", "e2e");

export async function readServers(): Promise<Servers> {
  return JSON.parse(await readFile(path.join(E2E_DATA_DIR, "servers.json"), "utf8")) as Servers;
}

/** The sandbox PagerDuty data the demo started with. */
export async function readInitialPagerDutyState(): Promise<unknown> {
  return JSON.parse(await readFile(path.join(E2E_DATA_DIR, "scenario", "pagerduty-state.json"), "utf8"));
}

/** The audit config the demo wrote for the e2e run (its roster and its sandbox URLs). */
export const E2E_CONFIG_PATH = path.join(E2E_DATA_DIR, "scenario", CONFIG_FILE);

/** A `next start` of the built dashboard, in a process group of its own. */
export interface RunningDashboard {
  url: string;
  /** What the server printed so far (the last 64 kB of stdout and stderr), for failure messages. */
  output(): string;
  /** Stops the server and anything it started (its whole process group) and waits for it to exit. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
const POLL_MS = 250;

/**
 * Starts the built dashboard (the e2e web server has built `.next`) on 127.0.0.1:`port` with exactly `env`
 * and resolves once it answers `/sign-in`. Refuses a port something already answers on, so a server left
 * over from an earlier run is never mistaken for this one.
 */
export async function startDashboard(options: {
  port: number;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}): Promise<RunningDashboard> {
  const url = `http://127.0.0.1:${options.port}`;
  if ((await answers(`${url}/sign-in`)) !== null) throw new Error(`Something already answers on ${url}.`);
  const child = spawn(
    process.execPath,
    [
      path.join("node_modules", "next", "dist", "bin", "next"),
      "start",
      "--port",
      String(options.port),
      "--hostname",
      "127.0.0.1",
    ],
    { env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  const record = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", record);
  child.stderr.on("data", record);
  type Exit = { code: number | null; signal: NodeJS.Signals | null };
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      record(Buffer.from(`${error.message}\n`));
      resolve({ code: null, signal: null });
    });
  });
  const ended: { exit: Exit | null } = { exit: null };
  void exited.then((exit) => (ended.exit = exit));

  const dashboard: RunningDashboard = {
    url,
    output: () => output,
    async stop() {
      const group = child.pid;
      if (group === undefined) return;
      signalGroup(group, "SIGTERM");
      const inTime = await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]);
      // Whatever is left of the group (the leader if it ignored SIGTERM, or a child it started).
      signalGroup(group, "SIGKILL");
      if (!inTime) await exited;
    },
  };

  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (ended.exit) {
      throw new Error(
        `The dashboard on ${url} exited (${JSON.stringify(ended.exit)}) before answering:\n${output}`,
      );
    }
    const status = await answers(`${url}/sign-in`);
    if (status === 200) return dashboard;
    if (Date.now() > deadline) {
      await dashboard.stop();
      throw new Error(
        `The dashboard on ${url} did not answer /sign-in with 200 within ${options.timeoutMs} ms ` +
          `(last: ${status ?? "no answer"}):\n${output}`,
      );
    }
    await delay(POLL_MS);
  }
}

/** The status `url` answers with, or null when nothing answers (within 2 s). */
async function answers(url: string): Promise<number | null> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch (error) {
    // ESRCH: the group is gone already.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * The Postgres the e2e tests may create databases in: `DATABASE_URL_TEST`, as for the storage tests, or the
 * local one. Test setup is the one place besides lib/env.ts that reads the environment.
 */
export const E2E_POSTGRES_URL = process.env.DATABASE_URL_TEST?.trim() || DEFAULT_TEST_DATABASE_URL;

/** Null when Postgres at `url` answers a query, else why not. */
export async function probePostgres(url: string): Promise<Error | null> {
  try {
    await withPostgres(url, (client) => client.query("select 1"));
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Creates the empty database `name` on the server of `url` (dropping one left over from an earlier run)
 * and returns its URL. `name` is a plain identifier.
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  await withPostgres(url, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  });
  const created = new URL(url);
  created.pathname = `/${name}`;
  return created.toString();
}

/** Drops the database `name` on the server of `url`, closing whatever still holds it open. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  await withPostgres(url, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

async function withPostgres<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A pass-through proxy in front of a server (the sandbox PagerDuty) that a test can close: requests then
 * wait, unanswered, until it opens again. With it a test sees an audit run while it is certainly running.
 */
export interface Gate {
  url: string;
  /** Requests arriving from now on wait. */
  close(): void;
  /** Waiting requests, and those arriving from now on, go through. */
  open(): void;
  /** How many requests are waiting. */
  waiting(): number;
  stop(): Promise<void>;
}

/** Starts an open gate to `target` on a free loopback port. */
export async function startGate(target: string): Promise<Gate> {
  const upstream = new URL(target);
  let closed = false;
  let waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const forward = () => {
      const out = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on("error", () => res.destroy());
      req.pipe(out);
    };
    if (closed) waiting.push(forward);
    else forward();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the gate has no port");
  const open = () => {
    closed = false;
    const released = waiting;
    waiting = [];
    for (const forward of released) forward();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => {
      closed = true;
    },
    open,
    waiting: () => waiting.length,
    async stop() {
      open();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
