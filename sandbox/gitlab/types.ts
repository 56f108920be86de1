/** The data a sandbox GitLab serves: plain objects, seeded by tests and demos, changed by API calls. */

export interface SandboxGitLabUser {
  id: number;
  username: string;
  name: string;
  /**
   * GitLab's user states as far as the sandbox tells them apart: only `active` users can call the API or be
   * assigned an issue (GitLab drops any other assignee without a word). Default `active`.
   */
  state?: "active" | "blocked" | "deactivated" | "banned";
  /** The personal access token that authenticates as this user; users without one cannot call the API. */
  token?: string;
  /**
   * The token's scopes; default `["api"]`. `read_api` reads (GET) everything, `read_user` only `/user` and
   * `/users`; anything else answers 403 `insufficient_scope` naming the scopes that would do.
   */
  scopes?: ("api" | "read_api" | "read_user")[];
}

export interface SandboxGitLabNote {
  id: number;
  body: string;
  /** Username of the author. */
  author: string;
  created_at: string;
  system: boolean;
}

export interface SandboxGitLabIssue {
  id: number;
  /** Numbered per project, from 1. */
  iid: number;
  title: string;
  description: string | null;
  state: "opened" | "closed";
  labels: string[];
  assignee_ids: number[];
  /** Username of the author. */
  author: string;
  created_at: string;
  updated_at: string;
  notes: SandboxGitLabNote[];
}

export interface SandboxGitLabProject {
  id: number;
  /** `group/subgroup/name`. */
  path_with_namespace: string;
  /** The only ref the repository has; default `main`. */
  default_branch?: string;
  /** Issue templates by name (`Pagerduty` → markdown). */
  issue_templates?: Record<string, string>;
  /** Repository files by path (`data/agents/alice.yaml` → content). */
  files?: Record<string, string>;
  issues?: SandboxGitLabIssue[];
}

export interface GitLabSandboxState {
  users: SandboxGitLabUser[];
  projects: SandboxGitLabProject[];
}

export interface GitLabFaultOptions {
  /** Per request (0..1): answer 429 with `Retry-After: 1`. */
  rateLimitRate?: number;
  /** Per request (0..1): answer 500 or 502. */
  transientErrorRate?: number;
  /**
   * Per request (0..1): apply the request, then hold the answer for `timeoutMs` and drop the connection;
   * the client should time out first. A POST timed out this way has created its issue or note.
   */
  timeoutRate?: number;
  /** How long a timeout holds the request, in ms; default 30,000. */
  timeoutMs?: number;
  /**
   * Per request (0..1): apply the request, then destroy the socket, half the time before any byte of the
   * answer and half the time after its headers and half its body.
   */
  connectionResetRate?: number;
}

/**
 * A one-shot fault for `failNext`: an HTTP status to answer instead of the request (nothing is applied),
 * `"timeout"` (applied, answer held for the fault options' `timeoutMs`) or `"reset"` (applied, socket
 * destroyed before any byte of the answer).
 */
/** A status to answer, an answer lost (`timeout`, `reset`), or `pass`: answer this request as usual. */
export type GitLabQueuedFault = number | "timeout" | "reset" | "pass";

export interface GitLabSandboxOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Wall clock in ms, for `created_at` and the notes limit; tests pass a fake one. */
  now?: () => number;
  /** Notes one user may create per rolling minute; gitlab.com allows 60. */
  notesPerMinute?: number;
  faults?: GitLabFaultOptions;
  /** Seed for fault draws, so a faulty run is repeatable. */
  seed?: number;
}

export interface GitLabSandboxStats {
  /** API requests received (control routes not counted). */
  requests: number;
  /** Keyed by HTTP status (`"200"`, `"429"`), or `"timeout"` / `"reset"` for answers that never arrived. */
  byStatus: Record<string, number>;
  /** Requests refused by the enforced notes limit. */
  notesRateLimited: number;
}

export interface GitLabSandbox {
  url: string;
  /** A deep copy of the served data as it is now. */
  state(): GitLabSandboxState;
  stats(): GitLabSandboxStats;
  setFaults(faults: GitLabFaultOptions): void;
  /** Puts back the seed data (also `POST /__sandbox/reset`). */
  reset(): void;
  /**
   * Someone replying: posts a note on the issue as `username`, outside the notes limit (also
   * `POST /__sandbox/projects/:project/issues/:iid/notes`). Throws when the project, issue or user is unknown.
   */
  postNoteAs(project: string | number, iid: number, username: string, body: string): SandboxGitLabNote;
  /** The next API requests (after the token check) meet these faults, one each, before any random fault. */
  failNext(...faults: GitLabQueuedFault[]): void;
  stop(): Promise<void>;
}
