/**
 * The API keys this process's model clients were built with, and their
 * removal from text bound for a log. A provider's error can echo the key
 * (`401 Invalid API Key: <key>`), whole or cut short, in any shape (`gsk_…`,
 * `AIzaSy…`, 32 hex digits): no pattern catches them all, the key itself does.
 * `chatModelFromEnv` remembers each key it builds a client with; `redactSecrets`
 * (model-errors.ts) takes them out.
 */

/** Shortest run of a key's characters taken out on its own: shorter runs turn up in ordinary text. */
export const MIN_KEY_PIECE = 8;

/** What a key, or a piece of one, becomes. */
export const REDACTED = '[redacted]';

/** Each remembered key and where each of its MIN_KEY_PIECE-character pieces starts in it. */
const keys = new Map<string, Map<string, number[]>>();

/** Remembers `key`, one a model client was built with, so log text never carries it. */
export function rememberModelKey(key: string): void {
  if (!key || keys.has(key)) return;
  const starts = new Map<string, number[]>();
  for (let i = 0; i + MIN_KEY_PIECE <= key.length; i++) {
    const piece = key.slice(i, i + MIN_KEY_PIECE);
    starts.set(piece, [...(starts.get(piece) ?? []), i]);
  }
  keys.set(key, starts);
}

/**
 * `text` with every remembered key, and every run of at least MIN_KEY_PIECE
 * characters of one (a provider that cuts the key short), replaced by
 * `[redacted]`. A key shorter than MIN_KEY_PIECE is taken out only whole.
 *
 * @example
 * rememberModelKey('gsk_Q3k9vLm2Xw8ZpR4t');
 * redactModelKeys('Invalid API Key: gsk_Q3k9vLm2…') // 'Invalid API Key: [redacted]…'
 */
export function redactModelKeys(text: string): string {
  let out = text;
  for (const [key, starts] of keys)
    out = key.length < MIN_KEY_PIECE ? out.split(key).join(REDACTED) : redactPieces(out, key, starts);
  return out;
}

/** One pass over `text`: at each position, the longest run of `key` starting there, if any, is replaced. */
function redactPieces(text: string, key: string, starts: Map<string, number[]>): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i + MIN_KEY_PIECE <= text.length) {
    const at = starts.get(text.slice(i, i + MIN_KEY_PIECE));
    const len = at ? longestRun(text, i, key, at) : 0;
    if (len === 0) {
      i++;
      continue;
    }
    out += text.slice(copied, i) + REDACTED;
    i += len;
    copied = i;
  }
  return out + text.slice(copied);
}

/** The longest run of `key` from one of `starts` that `text` repeats from `i` (each start matches MIN_KEY_PIECE already). */
function longestRun(text: string, i: number, key: string, starts: number[]): number {
  let best = 0;
  for (const s of starts) {
    let n = MIN_KEY_PIECE;
    while (s + n < key.length && i + n < text.length && key[s + n] === text[i + n]) n++;
    best = Math.max(best, n);
  }
  return best;
}
