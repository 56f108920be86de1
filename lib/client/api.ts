/**
 * The browser's side of the dashboard's HTTP API: one request helper that turns the server's
 * `{ error: { code, message, details } }` bodies into an `ApiError` whose `message` can be shown as is.
 */

/** One problem inside a refused request, as the server lists it (`path` points into the body). */
export interface ApiErrorDetail {
  path?: string;
  message: string;
}

export class ApiError extends Error {
  /** `kind:subject`, e.g. `conflict:run`; `network:unreachable` when the server could not be reached. */
  readonly code: string;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly details: ApiErrorDetail[];

  constructor(code: string, message: string, status: number, details: ApiErrorDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** A message to show for anything a mutation or query threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Reload the page and try again.";
}

interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  signal?: AbortSignal;
}

/** Requests `path` on this site and returns its JSON body; throws ApiError for any failure. */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers: options.body === undefined ? undefined : { "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(
      "network:unreachable",
      "The dashboard could not reach its server. Check your connection and try again.",
      0,
    );
  }
  const body = await readBody(response);
  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = typeof error?.code === "string" ? error.code : `http:${response.status}`;
  const message =
    typeof error?.message === "string" && error.message.trim() !== ""
      ? error.message
      : fallbackMessage(response.status);
  const details = Array.isArray(error?.details) ? error.details.filter(isDetail) : [];
  return new ApiError(code, message, response.status, details);
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 403) return "You may not do this.";
  if (status === 404) return "Not found. It may have been removed; reload the page.";
  return `The server could not do this (HTTP ${status}). Try again in a moment.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDetail(value: unknown): value is ApiErrorDetail {
  return (
    isRecord(value) &&
    typeof value.message === "string" &&
    (value.path === undefined || typeof value.path === "string")
  );
}
