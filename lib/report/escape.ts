/**
 * What every medium the report reaches (the text pasted into GitLab or read in a terminal, GitLab Markdown,
 * CSV, JSON, the CLI's messages) shares when it writes text people edit themselves: control characters shown
 * as visible escapes, and which GitLab usernames may become a live `@mention`. Each medium's own escaper
 * builds on these: `escapeText` and `escapeJsonControls` here, `escapeMarkdown` and `codeSpan` in
 * `format-markdown`, `csvCell` in `format-csv`.
 */

/**
 * C0 and C1 controls (newlines, tabs, escape sequences a terminal would run), DEL, the line and paragraph
 * separators U+2028/2029 and the bidi controls (U+061C, U+200E/200F, U+202A–202E, U+2066–2069) that make
 * text read differently from what it is.
 */
const BEYOND_C0 = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const CONTROL_CHARS = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, "g");
/** The control characters `JSON.stringify` leaves raw in strings (it escapes only C0). */
const RAW_IN_JSON = new RegExp(`[${BEYOND_C0}]`, "g");

const NAMED_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const codeUnitOf = (c: string) => c.charCodeAt(0).toString(16).padStart(4, "0");

/** `text` with each control character written as a visible escape: `\n`, `\r`, `\t`, else `\u202E`. */
export function showControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => NAMED_ESCAPES[c] ?? `\\u${codeUnitOf(c).toUpperCase()}`);
}

/**
 * A JSON text with the control characters `JSON.stringify` leaves raw written as `\u009b` escapes: the same
 * JSON value, but one that cannot drive a terminal (C1 CSI) or reverse text (bidi) when printed.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${codeUnitOf(c)}`);
}

/**
 * GitLab's user reference pattern wants a username character right after `@` (`@[A-Za-z0-9_.-]+`); a zero-width
 * joiner there ends it, so `@\u200dall` reads as `@all` and mentions nobody. Used by every medium that
 * GitLab parses, so an escaped `@` looks the same in each.
 */
export const INERT_AT = "@\u200d";

/** GitLab's username characters, and the special mentions of everyone that are never live. */
const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const EVERYONE = /^(all|here)$/i;

/**
 * Usernames GitLab resolves to a user (`GET /users?username=` answers with them), lower-cased. A name it does
 * not resolve (a group path such as `gitlab-com`, or no one) would mention a whole group or nobody.
 */
export type KnownUsers = ReadonlySet<string>;

/**
 * Whether `@username` may be a live mention: GitLab's username characters, not `all` or `here`, and, when
 * `known` is given (GitLab was asked), a user GitLab resolves. Without `known` (the CLI, which does not
 * ask GitLab) any well-formed username other than `all`/`here` is live.
 */
export function isMentionable(username: string, known?: KnownUsers): boolean {
  return USERNAME.test(username) && !EVERYONE.test(username) && (known?.has(username.toLowerCase()) ?? true);
}

/**
 * Makes untrusted text paste-safe as plain text, which people paste into a GitLab issue or read in a
 * terminal: backslashes doubled (so escapes stay unambiguous), control characters shown as escapes (no line
 * breaks, so the value stays on its line), every `@` GitLab could read as a mention inert, and a leading `/`
 * (after spaces) written `\/`, so no line starts a GitLab quick action; Markdown shows `\/` as `/`. GitLab's
 * user reference wants no ASCII word character before the `@` (Ruby's `(?<!\w)`), so an e-mail address
 * stays as typed and copies as it reads.
 */
export function escapeText(text: string): string {
  // The `@` is judged before controls become escapes: `\u2028@here` must not pass as a word before it.
  const inert = text.replaceAll("\\", "\\\\").replace(/(?<![A-Za-z0-9_])@/g, INERT_AT);
  return showControlChars(inert).replace(/^(\s*)\//, "$1\\/");
}

/** `@username` for the text report: live only when `isMentionable`, otherwise escaped. */
export function textMention(username: string, known?: KnownUsers): string {
  return isMentionable(username, known) ? `@${username}` : escapeText(`@${username}`);
}
