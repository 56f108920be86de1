/** Reason phrases of the statuses the adapters meet, for messages ("503 Service Unavailable"). */
export const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** `503 Service Unavailable`, or the bare number for a status without a known phrase. */
export function describeStatus(status: number): string {
  return `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""}`;
}

const MAX_DETAIL_CHARS = 300;

/** Cuts `text` to `max` characters, the cut marked with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

const HTML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    const point = /^#x/i.test(name)
      ? parseInt(name.slice(2), 16)
      : name.startsWith("#")
        ? Number(name.slice(1))
        : null;
    if (point === null) return HTML_ENTITIES[name.toLowerCase()] ?? whole;
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** An HTML page's `<title>`, or else its first line of text; never the page. */
function htmlText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const fromTitle = title === undefined ? "" : decodeEntities(title).replace(/\s+/g, " ").trim();
  if (fromTitle) return fromTitle;
  const text = html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, "\n")
    .replace(/<!--[\s\S]*?-->/g, "\n")
    .replace(/<[^>]*>/g, "\n");
  for (const line of text.split("\n")) {
    const clean = decodeEntities(line).replace(/\s+/g, " ").trim();
    if (clean) return clean;
  }
  return "";
}

/** The messages in an `error`/`errors` value: a string, a list, objects with `message(s)`, or a field map. */
export function messagesIn(value: unknown, depth = 0): string[] {
  if (depth > 4) return [];
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) return value.flatMap((item) => messagesIn(item, depth + 1));
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if ("message" in record || "messages" in record || "errors" in record) {
    return [
      ...messagesIn(record.message, depth + 1),
      ...messagesIn(record.messages, depth + 1),
      ...messagesIn(record.errors, depth + 1),
    ];
  }
  // A field map, v3's `{ "event.effective_since": ["…"] }`.
  return Object.entries(record).flatMap(([field, messages]) => {
    const inner = messagesIn(messages, depth + 1);
    return inner.length === 0 ? [] : [`${field}: ${inner.join(", ")}`];
  });
}

/** The words of a parsed JSON error body, as the adapter's schema reads them ("" when it says nothing). */
export type JsonErrorReader = (json: unknown) => string;

/**
 * What an error body says, in one short line (at most 300 characters, no trailing full stop): what
 * `readJson` finds in a JSON body, an HTML page's title or first text, or plain text. Empty when the body
 * says nothing beyond the status itself ("502 Bad Gateway").
 */
export function readErrorBody(body: string, status: number, readJson: JsonErrorReader): string {
  const trimmed = body.trim();
  if (!trimmed) return "";
  // A page or text is read from its start only: what matters is there, and a huge body stays cheap.
  const start = trimmed.slice(0, 65_536);
  const raw = jsonText(trimmed, readJson) ?? (/^<|<html[\s>]/i.test(start) ? htmlText(start) : start);
  // A status line in front ("401 Unauthorized: …") repeats what the message already says.
  const text = raw
    .replace(/\s+/g, " ")
    .trim()
    .replace(new RegExp(`^${status}(?: [A-Za-z][A-Za-z -]*?)?\\s*[:–—-]\\s+`), "")
    .replace(/[.!\s]+$/, "");
  const onlyStatus = new RegExp(`^${status}(?: [A-Za-z][A-Za-z -]*)?$`).test(text);
  if (onlyStatus || text.toLowerCase() === STATUS_TEXT[status]?.toLowerCase()) return "";
  return truncate(text, MAX_DETAIL_CHARS);
}

/** `readJson` of the body, or null when the body is not JSON. */
function jsonText(body: string, readJson: JsonErrorReader): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  return readJson(parsed);
}
