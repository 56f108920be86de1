import type * as z from "zod";

import { AppError } from "@/lib/errors";
import { getSharedRateLimiter, type RateLimiter } from "@/lib/http/rate-limit";
import type { Query, SendOptions } from "@/lib/http/request";
import { createGitLabRequester, type GitLabRequesterOptions } from "./request";
import {
  IssueSchema,
  IssueTemplateSchema,
  ListedIssuesSchema,
  NoteSchema,
  NotesSchema,
  TreeSchema,
  UserSchema,
  UsersSchema,
  type Issue,
  type IssueTemplate,
  type ListedIssue,
  type Note,
  type TreeItem,
  type User,
} from "./schemas";

/** gitlab.com lets one user create at most this many notes per minute; more get 429. */
export const NOTES_PER_MINUTE = 60;
export const NOTES_WINDOW_MS = 60_000;
export const PER_PAGE = 100;
/** Pages followed before giving up: 100,000 items is far past anything this project lists. */
const MAX_PAGES = 1_000;
/** Pages of notes (PER_PAGE each) a note search reads at most before giving up. */
export const MAX_NOTE_SEARCH_PAGES = 20;
/**
 * How far back a write whose answer was lost is looked for, by GitLab's clock: the request was sent at most
 * a client timeout ago, so a few minutes cover it with room to spare. Also the margin a search from a time
 * on the app's wall clock allows for GitLab's clock being off.
 */
export const LOST_ANSWER_WINDOW_MS = 10 * 60_000;

export interface GitLabClientOptions extends GitLabRequesterOptions {
  /** Paces note creation; default: the process-wide sliding window of this token on this instance. */
  notesLimiter?: RateLimiter;
  notesPerMinute?: number;
}

/** A project id or its full path (`gitlab-com/support/team`). */
export type ProjectRef = string | number;

export interface CreateIssueInput {
  title: string;
  description: string;
  labels?: string[];
  assigneeIds?: number[];
}

export interface UpdateIssueInput {
  description?: string;
  stateEvent?: "close" | "reopen";
  labels?: string[];
}

export interface CreatedNote extends Note {
  /** Link to the note on its issue: `${issue.web_url}#note_${id}`. */
  url: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface RecentIssueQuery {
  /** The whole title, matched exactly (GitLab's search only narrows the list). */
  title: string;
  authorUsername: string;
  /** Created no longer ago than this, in ms, by GitLab's clock. */
  withinMs: number;
}

export interface NoteSearch {
  /** Text a note's body contains (any one of them): a marker the app wrote into it. */
  texts: readonly string[];
  authorUsername: string;
  /** Epoch ms, GitLab's clock: notes created before it are not read (the search stops at them). */
  since: number;
}

export interface GitLabClient {
  readonly baseUrl: string;
  getIssueTemplate(project: ProjectRef, name: string, options?: RequestOptions): Promise<IssueTemplate>;
  createIssue(project: ProjectRef, input: CreateIssueInput, options?: RequestOptions): Promise<Issue>;
  getIssue(project: ProjectRef, iid: number, options?: RequestOptions): Promise<Issue>;
  updateIssue(
    project: ProjectRef,
    iid: number,
    input: UpdateIssueInput,
    options?: RequestOptions,
  ): Promise<Issue>;
  /** Waits for the notes limiter, then posts; fetches the issue for the note's URL. */
  createNote(project: ProjectRef, iid: number, body: string, options?: RequestOptions): Promise<CreatedNote>;
  /** Every note of the issue, oldest first, system notes included (`system: true`). */
  listNotes(project: ProjectRef, iid: number, options?: RequestOptions): Promise<Note[]>;
  /**
   * The open issues of the project titled exactly `title`, opened by `authorUsername` in the last
   * `withinMs` (GitLab's clock, read from its answer's Date header), newest first: where to find an issue
   * whose creation lost its answer. Reads one page, the newest.
   */
  findRecentIssues(
    project: ProjectRef,
    query: RecentIssueQuery,
    options?: RequestOptions,
  ): Promise<ListedIssue[]>;
  /**
   * The issue's notes by `authorUsername` (system notes left out) whose body contains one of `texts`,
   * created at or after `since`, newest first: where to find a note whose creation lost its answer, or that
   * an app instance made before it died. Reads pages of notes newest first until one reaches back past
   * `since`; throws AppError `upstream:gitlab` rather than stop early when that takes more than
   * MAX_NOTE_SEARCH_PAGES (a note not read might be the one looked for).
   */
  findNotesContaining(
    project: ProjectRef,
    iid: number,
    query: NoteSearch,
    options?: RequestOptions,
  ): Promise<Note[]>;
  /** The file's bytes at `ref`; with `maxBytes`, reading stops after `maxBytes + 1` bytes. */
  getRawFile(
    project: ProjectRef,
    path: string,
    ref: string,
    options?: RequestOptions & { maxBytes?: number },
  ): Promise<Uint8Array>;
  /** Direct children of `path` at `ref` (not recursive), every page. */
  listTree(project: ProjectRef, path: string, ref: string, options?: RequestOptions): Promise<TreeItem[]>;
  getCurrentUser(options?: RequestOptions): Promise<User>;
  /** The user with exactly this username, or null. */
  findUserByUsername(username: string, options?: RequestOptions): Promise<User | null>;
  /** HTTP requests sent so far, retries included. */
  requestCount(): number;
}

function projectPath(project: ProjectRef): string {
  return `/projects/${encodeURIComponent(String(project))}`;
}

/**
 * Whether a failed create (an issue, a note) may have been applied all the same, so that posting it again
 * could make a second one: the answer was lost (a timeout, a dropped connection), GitLab answered 5xx or
 * 408, or its answer could not be read. A clear refusal (400, 401, 403, 404, 409, 422, 429 and the other
 * 4xx) applied nothing.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  if (!(error instanceof AppError) || error.code !== "upstream:gitlab") return false;
  // request.ts words a status answer `GitLab answered <status> to <method> <path>`.
  const status = /^GitLab answered (\d{3}) to /.exec(error.message)?.[1];
  return status === undefined || status === "408" || status.startsWith("5");
}

/**
 * A GitLab REST v4 client for one access token. Holds the token: server and CLI code only. Every call goes
 * through one helper (`request.ts`) that retries what is worth retrying and turns the rest into AppErrors
 * (`upstream:gitlab_token` for a refused token, `not_found:gitlab`, `rate_limited:gitlab`, `upstream:gitlab`…).
 */
export function createGitLabClient(options: GitLabClientOptions): GitLabClient {
  const requester = createGitLabRequester(options);
  // gitlab.com counts notes per user, so every client of one token in this process shares one window.
  const notesLimiter =
    options.notesLimiter ?? getSharedRateLimiter(requester.baseUrl, options.token, NOTES_WINDOW_MS);
  const notesPerMinute = options.notesPerMinute ?? NOTES_PER_MINUTE;
  const localNow = options.now ?? Date.now;
  /** GitLab's now from its answer's Date header (whole seconds); ours when it sends none. */
  const gitlabNow = (headers: Headers): number => {
    const at = Date.parse(headers.get("date") ?? "");
    return Number.isNaN(at) ? localNow() : at;
  };
  const isRecent = (createdAt: string, now: number, withinMs: number) =>
    Date.parse(createdAt) >= now - withinMs;

  const get = async <S extends z.ZodType>(path: string, schema: S, send: SendOptions = {}) =>
    (await requester.json("GET", path, schema, send)).value;

  /** Follows `x-next-page` until it is empty. */
  const listAll = async <T>(
    path: string,
    schema: z.ZodType<T[]>,
    query: Query,
    signal: AbortSignal | undefined,
  ): Promise<T[]> => {
    const items: T[] = [];
    let page = 1;
    for (let fetched = 0; ; fetched++) {
      if (fetched >= MAX_PAGES) {
        throw new AppError("upstream:gitlab", `GET ${path} kept paginating past ${MAX_PAGES} pages.`);
      }
      const { value, headers } = await requester.json("GET", path, schema, {
        query: { ...query, per_page: PER_PAGE, page },
        signal,
      });
      items.push(...value);
      const next = (headers.get("x-next-page") ?? "").trim();
      if (next === "") return items;
      const nextPage = Number(next);
      // A next page that does not move forward would loop forever.
      if (!Number.isInteger(nextPage) || nextPage <= page) {
        throw new AppError(
          "upstream:gitlab",
          `GET ${path} answered an unusable x-next-page header (${next}).`,
        );
      }
      page = nextPage;
    }
  };

  const issuePath = (project: ProjectRef, iid: number) => `${projectPath(project)}/issues/${iid}`;

  return {
    baseUrl: requester.baseUrl,
    getIssueTemplate: (project, name, { signal } = {}) =>
      get(`${projectPath(project)}/templates/issues/${encodeURIComponent(name)}`, IssueTemplateSchema, {
        signal,
      }),
    async createIssue(project, input, { signal } = {}) {
      const body = {
        title: input.title,
        description: input.description,
        ...(input.labels ? { labels: input.labels.join(",") } : {}),
        ...(input.assigneeIds ? { assignee_ids: input.assigneeIds } : {}),
      };
      return (await requester.json("POST", `${projectPath(project)}/issues`, IssueSchema, { body, signal }))
        .value;
    },
    getIssue: (project, iid, { signal } = {}) => get(issuePath(project, iid), IssueSchema, { signal }),
    async updateIssue(project, iid, input, { signal } = {}) {
      const body = {
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.stateEvent ? { state_event: input.stateEvent } : {}),
        ...(input.labels ? { labels: input.labels.join(",") } : {}),
      };
      return (await requester.json("PUT", issuePath(project, iid), IssueSchema, { body, signal })).value;
    },
    async createNote(project, iid, body, { signal } = {}) {
      await notesLimiter.acquire(notesPerMinute, signal);
      const { value: note } = await requester.json("POST", `${issuePath(project, iid)}/notes`, NoteSchema, {
        body: { body },
        signal,
      });
      const issue = await get(issuePath(project, iid), IssueSchema, { signal });
      return { ...note, url: `${issue.web_url}#note_${note.id}` };
    },
    listNotes: (project, iid, { signal } = {}) =>
      listAll(
        `${issuePath(project, iid)}/notes`,
        NotesSchema,
        { sort: "asc", order_by: "created_at" },
        signal,
      ),
    async findRecentIssues(project, { title, authorUsername, withinMs }, { signal } = {}) {
      const { value, headers } = await requester.json(
        "GET",
        `${projectPath(project)}/issues`,
        ListedIssuesSchema,
        {
          query: {
            search: title,
            in: "title",
            author_username: authorUsername,
            state: "opened",
            order_by: "created_at",
            sort: "desc",
            per_page: PER_PAGE,
          },
          signal,
        },
      );
      const now = gitlabNow(headers);
      return value.filter(
        (issue) =>
          issue.title === title &&
          issue.state === "opened" &&
          issue.author.username.toLowerCase() === authorUsername.toLowerCase() &&
          isRecent(issue.created_at, now, withinMs),
      );
    },
    async findNotesContaining(project, iid, { texts, authorUsername, since }, { signal } = {}) {
      const path = `${issuePath(project, iid)}/notes`;
      const found: Note[] = [];
      for (let page = 1; page <= MAX_NOTE_SEARCH_PAGES; page++) {
        const { value, headers } = await requester.json("GET", path, NotesSchema, {
          query: { sort: "desc", order_by: "created_at", per_page: PER_PAGE, page },
          signal,
        });
        for (const note of value) {
          if (
            !note.system &&
            Date.parse(note.created_at) >= since &&
            note.author.username.toLowerCase() === authorUsername.toLowerCase() &&
            texts.some((text) => note.body.includes(text))
          )
            found.push(note);
        }
        const oldest = value.at(-1);
        const next = Number((headers.get("x-next-page") ?? "").trim());
        const more = Number.isInteger(next) && next > page;
        if (!oldest || !more || Date.parse(oldest.created_at) < since) return found;
      }
      throw new AppError(
        "upstream:gitlab",
        `GET ${path}: more than ${MAX_NOTE_SEARCH_PAGES * PER_PAGE} notes to look through for one the app posted.`,
      );
    },
    async getRawFile(project, path, ref, { signal, maxBytes } = {}) {
      const response = await requester.send(
        "GET",
        `${projectPath(project)}/repository/files/${encodeURIComponent(path)}/raw`,
        { query: { ref }, signal, ...(maxBytes === undefined ? {} : { maxBytes }) },
      );
      return response.bytes;
    },
    listTree: (project, path, ref, { signal } = {}) =>
      listAll(`${projectPath(project)}/repository/tree`, TreeSchema, { path, ref }, signal),
    getCurrentUser: ({ signal } = {}) => get("/user", UserSchema, { signal }),
    async findUserByUsername(username, { signal } = {}) {
      const users = await get("/users", UsersSchema, { query: { username }, signal });
      return users.find((user) => user.username.toLowerCase() === username.toLowerCase()) ?? null;
    },
    requestCount: () => requester.requestCount(),
  };
}
