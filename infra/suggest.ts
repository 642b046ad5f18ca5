import type { z } from 'zod';

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3))) return best;
  // A key typed short (`budget` for `budgetMsat`): the one candidate it begins.
  const lower = word.toLowerCase();
  const longer = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  return lower.length >= 3 && longer.length === 1 ? longer[0] : undefined;
}

/** The text for keys a strict object does not allow: each with its nearest allowed key, then every allowed key. */
export function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const named = keys.map((k) => {
    const hint = nearest(k, allowed);
    return `"${k}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
  });
  return `unknown key${keys.length > 1 ? 's' : ''} ${named.join(', ')}; allowed: ${[...allowed].sort().join(', ')}`;
}

/**
 * A zod error map for unknown keys: names the allowed keys of the object and
 * the nearest one; undefined for other issues (`plainErrorMap` words them).
 */
export const suggestKeys: z.core.$ZodErrorMap = (iss) => {
  if (iss.code !== 'unrecognized_keys') return undefined;
  const def = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  if (!def?.shape) return undefined;
  return unknownKeysMessage(iss.keys, Object.keys(def.shape));
};

/** What a discriminated union refused: its key, the values its options take, and the value given (undefined when left out). */
export interface UnionOption {
  key: string;
  names: string[];
  value: unknown;
}

/** The key, options and value of a discriminated union's refusal of a value none of its options has; undefined for other issues. */
export function unionOption(iss: z.core.$ZodRawIssue): UnionOption | undefined {
  if (iss.code !== 'invalid_union') return undefined;
  const { discriminator, options } = iss as { discriminator?: unknown; options?: unknown[] };
  if (typeof discriminator !== 'string' || !Array.isArray(options)) return undefined;
  const input = iss.input as Record<string, unknown> | null | undefined;
  const value = input !== null && typeof input === 'object' ? input[discriminator] : undefined;
  return { key: discriminator, names: options.map(String), value };
}

/**
 * A zod error map for a discriminated union given text none of its options
 * has (`name: max_per_requst`): names the nearest value and every one
 * allowed; undefined for other issues (a key left out or not text is
 * `plainErrorMap`'s). A schema's own message is kept.
 */
export const suggestOption: z.core.$ZodErrorMap = (iss) => {
  const o = unionOption(iss);
  if (typeof o?.value !== 'string') return undefined;
  const hint = nearest(o.value, o.names);
  return `unknown ${o.key} "${o.value}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected ${o.names.join(' | ')}`;
};

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
