/**
 * A sandbox GitLab: a real HTTP server on loopback that answers the REST v4 endpoints this project uses
 * (issue templates, repository files and trees, users, issues, notes) with GitLab's shapes, status codes,
 * error bodies and pagination headers, enforces gitlab.com's 60-notes-a-minute limit, and injects seeded
 * faults: 429s, 5xx, timeouts and connection resets. State lives in memory, seeded from a plain object.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as z from "zod";
import { mulberry32 } from "../random";
import { createConnectionFaults, DEFAULT_HOLD_MS } from "./connection-faults";
import type {
  GitLabFaultOptions,
  GitLabQueuedFault,
  GitLabSandbox,
  GitLabSandboxOptions,
  GitLabSandboxState,
  GitLabSandboxStats,
  SandboxGitLabIssue,
  SandboxGitLabNote,
  SandboxGitLabProject,
  SandboxGitLabUser,
} from "./types";
import { listenOnLoopback, readRequestBody, writeReply } from "../loopback";

/** `web_url`s use a reserved domain: nothing serves them, nobody mistakes them for real. */
export const SANDBOX_WEB_BASE = "https://gitlab.sandbox.example";
export const GITLAB_NOTES_PER_MINUTE = 60;
const WINDOW_MS = 60_000;
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const MAX_BODY_BYTES = 1_000_000;
const MAX_TITLE_LENGTH = 255;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/**
 * An answer that never arrives although the request was applied: held until the client gives up, or cut
 * off by a dropped connection before any byte or midway through the body.
 */
type Lost = "timeout" | "reset" | "reset_midway";

interface Outcome {
  reply: Reply;
  lost: Lost | null;
}

function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const message = (status: number, text: unknown, headers: Record<string, string> = {}): Reply =>
  jsonReply(status, { message: text }, headers);
const notFound = (what: string): Reply => message(404, `404 ${what} Not Found`);
/** Grape's answer to a missing or malformed parameter: `error`, not `message`. */
const paramError = (text: string): Reply => jsonReply(400, { error: text });

const INSUFFICIENT_SCOPE_DESCRIPTION =
  "The request requires higher privileges than provided by the access token.";

/**
 * The scopes that would allow this request, or null when the token's scopes do: every route takes `api`,
 * reads take `read_api` too, and reading users takes `read_user` as well.
 */
function missingScopes(user: SandboxGitLabUser, method: string, parts: readonly string[]): string | null {
  const have = user.scopes ?? ["api"];
  const read = method === "GET" || method === "HEAD";
  const users = parts[0] === "user" || parts[0] === "users";
  const allowed = ["api", ...(read ? ["read_api"] : []), ...(read && users ? ["read_user"] : [])];
  return allowed.some((scope) => have.includes(scope as "api")) ? null : allowed.join(" ");
}

type Params = Record<string, unknown>;

const NoteAsSchema = z.object({ username: z.string().min(1), body: z.string().min(1) });

function paginate<T>(
  items: readonly T[],
  params: URLSearchParams,
): { slice: T[]; headers: Record<string, string> } {
  const perPageRaw = Number(params.get("per_page") ?? DEFAULT_PER_PAGE);
  const pageRaw = Number(params.get("page") ?? 1);
  // GitLab falls back to defaults for unusable values rather than refusing them.
  const perPage =
    Number.isInteger(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, MAX_PER_PAGE) : DEFAULT_PER_PAGE;
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    slice,
    headers: {
      "x-page": String(page),
      "x-per-page": String(perPage),
      "x-total": String(items.length),
      "x-total-pages": String(totalPages),
      "x-next-page": page < totalPages ? String(page + 1) : "",
      "x-prev-page": page > 1 ? String(page - 1) : "",
    },
  };
}

/**
 * GitLab's issue list filters as far as this project uses them: `state` (`opened`, `closed`, `all`),
 * `author_username`, `search` (every word, case-insensitive, in the fields `in` names: `title`,
 * `description` or both, the default) and the order (`order_by` `created_at` or `updated_at`, `sort`
 * `desc` by default).
 */
function listIssues(issues: readonly SandboxGitLabIssue[], query: URLSearchParams): SandboxGitLabIssue[] {
  const state = query.get("state") ?? "all";
  const author = query.get("author_username")?.toLowerCase();
  const words = (query.get("search") ?? "")
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  const fields = (query.get("in") ?? "title,description").split(",").map((f) => f.trim());
  const searched = (i: SandboxGitLabIssue) =>
    [fields.includes("title") ? i.title : "", fields.includes("description") ? (i.description ?? "") : ""]
      .join("\n")
      .toLowerCase();
  const orderBy = query.get("order_by") === "updated_at" ? "updated_at" : "created_at";
  const direction = query.get("sort") === "asc" ? 1 : -1;
  return issues
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => author === undefined || i.author.toLowerCase() === author)
    .filter((i) => words.every((word) => searched(i).includes(word)))
    .map((i, index) => ({ i, index }))
    .sort((a, b) =>
      a.i[orderBy] === b.i[orderBy]
        ? direction * (a.index - b.index)
        : direction * (a.i[orderBy] < b.i[orderBy] ? -1 : 1),
    )
    .map(({ i }) => i);
}

function labelsOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String).filter((l) => l.trim() !== "");
  if (typeof value === "string") {
    return value
      .split(",")
      .map((l) => l.trim())
      .filter((l) => l !== "");
  }
  return undefined;
}

/**
 * Starts a sandbox GitLab on loopback. Resolves once it listens; `url` then holds the real port (the API is
 * under `${url}/api/v4`).
 *
 * Order: control routes → token (`PRIVATE-TOKEN` or `Authorization: Bearer`) → queued `failNext` faults →
 * random faults → the token's scopes (403 `insufficient_scope`) → routing → the notes limit (note creation only) → the route → for a timeout or reset
 * fault, the answer lost. A status fault answers instead of the route; a timeout or reset comes after it,
 * so the request has been applied (a POST has created its issue or note) when its answer is lost.
 */
export async function startGitLabSandbox(
  seed: GitLabSandboxState,
  options: GitLabSandboxOptions = {},
): Promise<GitLabSandbox> {
  const initial = structuredClone(seed);
  let state: GitLabSandboxState = structuredClone(initial);
  const now = options.now ?? Date.now;
  const notesPerMinute = options.notesPerMinute ?? GITLAB_NOTES_PER_MINUTE;
  let faults: GitLabFaultOptions = options.faults ?? {};
  const draw = mulberry32(options.seed ?? 1);
  const queued: GitLabQueuedFault[] = [];
  const connection = createConnectionFaults();
  /** Note creation times per username, oldest first. */
  const noteTimes = new Map<string, number[]>();
  let stats: GitLabSandboxStats = { requests: 0, byStatus: {}, notesRateLimited: 0 };
  const nextIds = (of: GitLabSandboxState) => ({
    issue: 1 + Math.max(0, ...of.projects.flatMap((p) => (p.issues ?? []).map((i) => i.id))),
    note:
      1 +
      Math.max(0, ...of.projects.flatMap((p) => (p.issues ?? []).flatMap((i) => i.notes.map((n) => n.id)))),
  });
  let { issue: nextIssueId, note: nextNoteId } = nextIds(state);
  /** Back to the seed data: issues, notes and the notes limit forgotten (faults and stats kept). */
  const reset = () => {
    state = structuredClone(initial);
    ({ issue: nextIssueId, note: nextNoteId } = nextIds(state));
    noteTimes.clear();
    queued.length = 0;
  };

  const iso = () => new Date(now()).toISOString();
  const userByName = (username: string) =>
    state.users.find((u) => u.username.toLowerCase() === username.toLowerCase());

  const renderUser = (u: SandboxGitLabUser) => ({
    id: u.id,
    username: u.username,
    name: u.name,
    state: u.state ?? "active",
    avatar_url: `${SANDBOX_WEB_BASE}/uploads/-/system/user/avatar/${u.id}/avatar.png`,
    web_url: `${SANDBOX_WEB_BASE}/${u.username}`,
  });
  const renderAuthor = (username: string) => {
    const u = userByName(username);
    return u ? renderUser(u) : { id: 0, username, name: username, state: "active" };
  };
  const renderIssue = (p: SandboxGitLabProject, i: SandboxGitLabIssue) => ({
    id: i.id,
    iid: i.iid,
    project_id: p.id,
    title: i.title,
    description: i.description,
    state: i.state,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.state === "closed" ? i.updated_at : null,
    labels: i.labels,
    author: renderAuthor(i.author),
    assignees: i.assignee_ids.flatMap((id) => {
      const u = state.users.find((user) => user.id === id);
      return u ? [renderUser(u)] : [];
    }),
    user_notes_count: i.notes.filter((n) => !n.system).length,
    web_url: `${SANDBOX_WEB_BASE}/${p.path_with_namespace}/-/issues/${i.iid}`,
  });
  const renderNote = (i: SandboxGitLabIssue, n: SandboxGitLabNote) => ({
    id: n.id,
    type: null,
    body: n.body,
    author: renderAuthor(n.author),
    created_at: n.created_at,
    updated_at: n.created_at,
    system: n.system,
    noteable_id: i.id,
    noteable_type: "Issue",
    noteable_iid: i.iid,
    resolvable: false,
    confidential: false,
    internal: false,
  });

  const findProject = (ref: string) =>
    /^\d+$/.test(ref)
      ? state.projects.find((p) => p.id === Number(ref))
      : state.projects.find((p) => p.path_with_namespace.toLowerCase() === ref.toLowerCase());

  const addNote = (issue: SandboxGitLabIssue, author: string, body: string): SandboxGitLabNote => {
    const note = { id: nextNoteId++, body, author, created_at: iso(), system: false };
    issue.notes.push(note);
    issue.updated_at = note.created_at;
    return note;
  };

  /** Rolling-minute count of `username`'s note creations; refuses one more when the window is full. */
  const takeNoteSlot = (username: string): Reply | null => {
    const t = now();
    const times = (noteTimes.get(username) ?? []).filter((at) => at > t - WINDOW_MS);
    noteTimes.set(username, times);
    if (times.length >= notesPerMinute) {
      const oldest = times[0] ?? t;
      const waitS = Math.max(1, Math.ceil((oldest + WINDOW_MS - t) / 1000));
      stats.notesRateLimited++;
      // GitLab's application limit answers with an object `message`.
      return message(
        429,
        { error: "This endpoint has been requested too many times. Try again later." },
        {
          "retry-after": String(waitS),
          "ratelimit-limit": String(notesPerMinute),
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(Math.ceil(t / 1000) + waitS),
        },
      );
    }
    times.push(t);
    return null;
  };

  function treeOf(project: SandboxGitLabProject, dir: string): Reply | { items: object[] } {
    const prefix = dir === "" ? "" : `${dir}/`;
    const children = new Map<string, "blob" | "tree">();
    for (const path of Object.keys(project.files ?? {})) {
      if (!path.startsWith(prefix)) continue;
      const [name, ...rest] = path.slice(prefix.length).split("/");
      if (!name) continue;
      children.set(name, rest.length > 0 ? "tree" : (children.get(name) ?? "blob"));
    }
    if (children.size === 0 && dir !== "") return notFound("Tree");
    const items = [...children.entries()]
      // GitLab lists directories first, then files, each by name.
      .sort(([a, ta], [b, tb]) => (ta === tb ? (a < b ? -1 : a > b ? 1 : 0) : ta === "tree" ? -1 : 1))
      .map(([name, type]) => ({
        id: createHash("sha1").update(`${type}:${prefix}${name}`).digest("hex"),
        name,
        type,
        path: `${prefix}${name}`,
        mode: type === "tree" ? "040000" : "100644",
      }));
    return { items };
  }

  function route(
    method: string,
    parts: string[],
    query: URLSearchParams,
    params: Params,
    user: SandboxGitLabUser,
  ): Reply {
    const [a, b, ...rest] = parts;
    if (a === "user" && b === undefined && method === "GET") return jsonReply(200, renderUser(user));
    if (a === "users" && b === undefined && method === "GET") {
      const username = query.get("username");
      const users =
        username === null
          ? state.users
          : state.users.filter((u) => u.username.toLowerCase() === username.toLowerCase());
      const { slice, headers } = paginate(users, query);
      return jsonReply(200, slice.map(renderUser), headers);
    }
    if (a !== "projects" || b === undefined) return message(404, "404 Not Found");
    const project = findProject(b);
    if (!project) return notFound("Project");
    const ref = project.default_branch ?? "main";
    const [c, d, e, f, g] = rest;

    if (c === "templates" && d === "issues" && e !== undefined && f === undefined && method === "GET") {
      const content = project.issue_templates?.[e];
      return content === undefined ? notFound("Template") : jsonReply(200, { name: e, content });
    }
    if (
      c === "repository" &&
      d === "files" &&
      e !== undefined &&
      f === "raw" &&
      g === undefined &&
      method === "GET"
    ) {
      const wanted = query.get("ref");
      if (wanted === null || wanted === "") return paramError("ref is missing, ref is empty");
      if (wanted !== ref) return notFound("Commit");
      const content = project.files?.[e];
      if (content === undefined) return notFound("File");
      return {
        status: 200,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: Buffer.from(content),
      };
    }
    if (c === "repository" && d === "tree" && e === undefined && method === "GET") {
      const wanted = query.get("ref") ?? ref;
      if (wanted !== ref) return notFound("Tree");
      const tree = treeOf(project, (query.get("path") ?? "").replace(/^\/+|\/+$/g, ""));
      if ("status" in tree) return tree;
      const { slice, headers } = paginate(tree.items, query);
      return jsonReply(200, slice, headers);
    }
    if (c !== "issues") return message(404, "404 Not Found");
    const issues = (project.issues ??= []);
    if (d === undefined) {
      if (method === "GET") {
        const { slice, headers } = paginate(listIssues(issues, query), query);
        return jsonReply(
          200,
          slice.map((i) => renderIssue(project, i)),
          headers,
        );
      }
      if (method !== "POST") return message(405, "405 Method Not Allowed");
      if (typeof params.title !== "string") return paramError("title is missing");
      const title = params.title;
      // A title given but blank passes the parameter check; the model's validation refuses it.
      if (title.trim() === "") return message(400, { title: ["can't be blank"] });
      if (title.length > MAX_TITLE_LENGTH) {
        return message(400, { title: [`is too long (maximum is ${MAX_TITLE_LENGTH} characters)`] });
      }
      const at = iso();
      const issue: SandboxGitLabIssue = {
        id: nextIssueId++,
        iid: 1 + Math.max(0, ...issues.map((i) => i.iid)),
        title,
        description: typeof params.description === "string" ? params.description : null,
        state: "opened",
        labels: labelsOf(params.labels) ?? [],
        // GitLab drops assignees it cannot assign (a blocked or deactivated user) and creates the issue.
        assignee_ids: Array.isArray(params.assignee_ids)
          ? params.assignee_ids
              .map(Number)
              .filter((id) => (state.users.find((u) => u.id === id)?.state ?? "active") === "active")
          : [],
        author: user.username,
        created_at: at,
        updated_at: at,
        notes: [],
      };
      issues.push(issue);
      return jsonReply(201, renderIssue(project, issue));
    }
    const issue = /^\d+$/.test(d) ? issues.find((i) => i.iid === Number(d)) : undefined;
    if (!issue) return notFound("Issue");
    if (e === undefined) {
      if (method === "GET") return jsonReply(200, renderIssue(project, issue));
      if (method !== "PUT") return message(405, "405 Method Not Allowed");
      if (typeof params.description === "string") issue.description = params.description;
      const labels = labelsOf(params.labels);
      if (labels) issue.labels = labels;
      if (params.state_event === "close") issue.state = "closed";
      else if (params.state_event === "reopen") issue.state = "opened";
      else if (params.state_event !== undefined) return paramError("state_event does not have a valid value");
      issue.updated_at = iso();
      return jsonReply(200, renderIssue(project, issue));
    }
    if (e !== "notes" || f !== undefined) return message(404, "404 Not Found");
    if (method === "GET") {
      // GitLab's default order is newest first.
      const asc = query.get("sort") === "asc";
      const notes = asc ? issue.notes : [...issue.notes].reverse();
      const { slice, headers } = paginate(notes, query);
      return jsonReply(
        200,
        slice.map((n) => renderNote(issue, n)),
        headers,
      );
    }
    if (method !== "POST") return message(405, "405 Method Not Allowed");
    const body = typeof params.body === "string" ? params.body : "";
    if (body.trim() === "") return paramError("body is missing");
    const refused = takeNoteSlot(user.username);
    if (refused) return refused;
    return jsonReply(201, renderNote(issue, addNote(issue, user.username, body)));
  }

  /**
   * Control routes for tests and demos (not GitLab's API, not counted in stats; any valid token):
   * `GET /__sandbox/state` returns the served data; `POST /__sandbox/projects/:id/issues/:iid/notes` with
   * `{ username, body }` posts a note as that user (someone replying), outside the notes limit;
   * `POST /__sandbox/reset` puts back the seed data.
   */
  function control(method: string, parts: string[], body: unknown): Reply {
    if (parts.length === 1 && parts[0] === "state" && method === "GET") return jsonReply(200, state);
    if (parts.length === 1 && parts[0] === "reset" && method === "POST") {
      reset();
      return jsonReply(200, state);
    }
    const [a, projectRef, c, iid, e, extra] = parts;
    if (
      a === "projects" &&
      projectRef &&
      c === "issues" &&
      iid &&
      e === "notes" &&
      extra === undefined &&
      method === "POST"
    ) {
      const parsed = NoteAsSchema.safeParse(body);
      if (!parsed.success) return paramError(`expected { username, body }: ${parsed.error.message}`);
      const posted = postNoteAs(projectRef, Number(iid), parsed.data.username, parsed.data.body);
      return "status" in posted ? posted : jsonReply(201, renderNote(posted.issue, posted.note));
    }
    return message(404, "404 Not Found");
  }

  /** Someone replying on an issue: a note by `username`, outside the notes limit. */
  function postNoteAs(
    projectRef: string,
    iid: number,
    username: string,
    body: string,
  ): Reply | { issue: SandboxGitLabIssue; note: SandboxGitLabNote } {
    const project = findProject(projectRef);
    if (!project) return notFound("Project");
    const issue = (project.issues ?? []).find((i) => i.iid === iid);
    if (!issue) return notFound("Issue");
    if (!userByName(username)) return notFound("User");
    return { issue, note: addNote(issue, username, body) };
  }

  /**
   * One roll against cumulative bands, two draws per request whatever the rates: the bands added later sit
   * after the first ones, so a seed meets the same 429s and 5xx it did before they existed.
   */
  function drawFault(): Reply | Lost | null {
    const roll = draw();
    const variant = draw();
    let edge = faults.rateLimitRate ?? 0;
    if (roll < edge) {
      // Rack::Attack's throttle answers plain text.
      return {
        status: 429,
        headers: {
          "content-type": "text/plain",
          "retry-after": "1",
          "ratelimit-reset": String(Math.ceil(now() / 1000) + 1),
        },
        body: "Retry later\n",
      };
    }
    edge += faults.transientErrorRate ?? 0;
    if (roll < edge) return failure(variant < 0.5 ? 500 : 502);
    edge += faults.timeoutRate ?? 0;
    if (roll < edge) return "timeout";
    edge += faults.connectionResetRate ?? 0;
    if (roll < edge) return variant < 0.5 ? "reset" : "reset_midway";
    return null;
  }

  function failure(status: number): Reply {
    if (status === 429) {
      return { status, headers: { "content-type": "text/plain", "retry-after": "1" }, body: "Retry later\n" };
    }
    if (status >= 500 && status !== 500) {
      return {
        status,
        headers: { "content-type": "text/html" },
        body: `<html><body>${status}</body></html>`,
      };
    }
    return message(status, `${status} ${status === 500 ? "Internal Server Error" : "Error"}`);
  }

  function authenticate(req: IncomingMessage): SandboxGitLabUser | undefined {
    const header = req.headers["private-token"];
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = (typeof header === "string" ? header : undefined) ?? bearer;
    if (!token) return undefined;
    return state.users.find((u) => u.token === token && (u.state ?? "active") === "active");
  }

  const answered = (reply: Reply): Outcome => ({ reply, lost: null });

  function handle(req: IncomingMessage, body: Buffer): Outcome {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const method = req.method ?? "GET";
    let parts: string[];
    try {
      parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      return answered(message(400, "400 Bad request"));
    }
    let params: Params = Object.fromEntries(url.searchParams);
    if (body.byteLength > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
          params = { ...params, ...(parsed as Params) };
        }
      } catch {
        return answered(message(400, "400 Bad request - JSON body could not be parsed"));
      }
    }
    const isControl = parts[0] === "__sandbox";
    if (!isControl) stats.requests++;
    const user = authenticate(req);
    if (!user) return answered(message(401, "401 Unauthorized"));
    if (isControl) return answered(control(method, parts.slice(1), params));
    const next = queued.shift();
    if (typeof next === "number") return answered(failure(next));
    const fault = next === "pass" ? null : (next ?? drawFault());
    if (typeof fault === "object" && fault !== null) return answered(fault);
    if (parts[0] !== "api" || parts[1] !== "v4") return { reply: message(404, "404 Not Found"), lost: fault };
    const scopes = missingScopes(user, method, parts.slice(2));
    if (scopes !== null) {
      return answered(
        jsonReply(403, {
          error: "insufficient_scope",
          error_description: INSUFFICIENT_SCOPE_DESCRIPTION,
          scope: scopes,
        }),
      );
    }
    return { reply: route(method, parts.slice(2), url.searchParams, params, user), lost: fault };
  }

  const server = createServer((req, res: ServerResponse) => {
    readRequestBody(req, MAX_BODY_BYTES, (body) => {
      const { reply, lost } =
        body === null ? answered(message(413, "413 Request Entity Too Large")) : handle(req, body);
      if (!(req.url ?? "").startsWith("/__sandbox/")) {
        const key = lost === null ? String(reply.status) : lost === "timeout" ? "timeout" : "reset";
        stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
      }
      if (lost === "timeout") return connection.hold(req, faults.timeoutMs ?? DEFAULT_HOLD_MS);
      if (lost === "reset") return connection.reset(req, res);
      if (lost === "reset_midway") return connection.reset(req, res, reply);
      // The answer's Date is the sandbox's clock, as GitLab's is its own: the one `created_at` is stamped with.
      writeReply(res, reply, new Date(now()));
    });
  });
  const listening = await listenOnLoopback(server, options);

  return {
    url: listening.url,
    state: () => structuredClone(state),
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    setFaults: (next) => {
      faults = next;
    },
    reset,
    postNoteAs: (project, iid, username, body) => {
      const posted = postNoteAs(String(project), iid, username, body);
      if ("status" in posted) throw new Error(`Sandbox GitLab: ${String(posted.body)}`);
      return structuredClone(posted.note);
    },
    failNext: (...next) => {
      queued.push(...next);
    },
    stop: async () => {
      connection.clear();
      await listening.close();
      stats = { requests: 0, byStatus: {}, notesRateLimited: 0 };
    },
  };
}
