import type { z } from 'zod';
import { nearest, suggestKeys, suggestOption } from './suggest.js';

/**
 * Plain wording for what zod refuses in a user's input (a scenario file, a
 * `--set`, a policy declaration): where, as the user writes it, and what was
 * expected, instead of zod's "Invalid input: expected number, received string".
 */

/** Formats a path from zod (`['buyers', 0, 'policy']`) the way users write it: `buyers[0].policy`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * A zod error map in plain words: an unknown key names its nearest allowed
 * key (`suggestKeys`), an unknown option of a union its nearest allowed value
 * (`suggestOption`), a missing field says to add it (`required: add policy`),
 * a value of the wrong type says what was expected and what was given
 * (`expected a number, got "abc"`), a value outside a list its nearest
 * allowed one, and a value out of range the bound (`expected at most 5`).
 * Messages a schema words itself are kept.
 */
export const plainErrorMap: z.core.$ZodErrorMap = (iss) =>
  suggestKeys(iss) ?? suggestOption(iss) ?? typeMessage(iss) ?? valueMessage(iss) ?? rangeMessage(iss);

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'text',
  boolean: 'true or false',
  object: 'an object (key: value entries)',
  array: 'a list',
};

function typeMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_type') return undefined;
  if (iss.input === undefined) {
    const key = iss.path?.at(-1);
    return typeof key === 'string' ? `required: add ${key}` : 'required';
  }
  return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${given(iss.input)}`;
}

/** A value not among a list's (`align: calender`): the nearest allowed one, then all of them. */
function valueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_value') return undefined;
  const allowed = iss.values.map(String);
  const hint = typeof iss.input === 'string' ? nearest(iss.input, allowed) : undefined;
  return `expected ${allowed.join(' | ')}, got ${given(iss.input)}${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

/** A number, list or text past a bound: `expected at most 9,007,199,254,740,991`, `expected at least 1 item`. */
function rangeMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'too_big' && iss.code !== 'too_small') return undefined;
  const big = iss.code === 'too_big';
  const bound = big ? iss.maximum : iss.minimum;
  const inclusive = iss.inclusive !== false;
  const word = big ? (inclusive ? 'at most' : 'less than') : inclusive ? 'at least' : 'more than';
  const n = typeof bound === 'number' ? bound.toLocaleString('en-US') : String(bound);
  const unit = UNIT[iss.origin];
  return `expected ${word} ${n}${unit ? ` ${bound === 1 ? unit : `${unit}s`}` : ''}`;
}

const UNIT: Record<string, string> = { array: 'item', set: 'item', string: 'character' };

/** A value as a file or a flag would show it: text quoted, a list or object by its kind. */
function given(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}
