/** Most characters of one seller-written string a prompt carries (the decider's default). */
export const PROMPT_STRING_LIMIT = 64;

/**
 * An untrusted string made safe to put in a prompt: control and format
 * characters (newlines, bidi overrides, zero-width) and line and paragraph
 * separators become spaces, runs of spaces shrink to one, and the result is
 * cut at `limit` characters (marked with an ellipsis). The caller JSON-quotes it.
 */
export function boundedText(s: string, limit = PROMPT_STRING_LIMIT): string {
  const flat = s
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length <= limit ? flat : `${chars.slice(0, limit - 1).join('')}…`;
}
