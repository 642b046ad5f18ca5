/**
 * Text another party wrote, made safe to show: on a terminal, in a log line,
 * in a listing. Unsafe characters are control characters (C0, DEL, C1: NUL,
 * carriage return, newline, the escape that starts a terminal sequence), lone
 * surrogates, line and paragraph separators, and bidi controls (U+061C,
 * U+200E/F, U+202A–U+202E, U+2066–U+2069), which can make text display
 * differently from what it says: `\r\u001b[2K` erases the line it is printed
 * on and lets the text after it pose as the whole line.
 */

/** One unsafe character (no `g` flag: `exec` and `test` keep no state). */
export const UNSAFE_CHAR = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;

const UNSAFE_CHARS = new RegExp(UNSAFE_CHAR.source, 'gu');

/** `c`'s code as a JSON-style escape: `\u001b` (every unsafe character is in the BMP). */
function escaped(c: string): string {
  return `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with each unsafe character shown as its escape (`\u001b`, `\u202e`),
 * so it prints as what it says; cut first to `maxChars` characters (the cut
 * ends in `…`), so a cut pair is a lone surrogate and escaped too.
 *
 * @example
 * terminalSafe('\r\u001b[2Kok') // '\\u000d\\u001b[2Kok'
 */
export function terminalSafe(text: string, maxChars = Infinity): string {
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return cut.replace(UNSAFE_CHARS, escaped);
}

/** `text` with each line `terminalSafe`, the line breaks between them kept (a multi-line message). */
export function terminalSafeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => terminalSafe(line))
    .join('\n');
}
