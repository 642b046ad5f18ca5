import type { z } from 'zod';
import { nearest, suggestKeys, suggestOption, unionOption } from './suggest.js';

/**
 * Plain wording for what zod refuses in a user's input (a scenario file, a
 * `--set`, a policy or decider declaration, an HTTP body or query, a file the
 * lab reads back): where, as the user writes it, and what was expected,
 * instead of zod's "Invalid input: expected number, received string". Parse
 * with `schema.safeParse(x, { error: plainErrorMap })`, then word the issues
 * with `describeIssues`.
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
 * (`suggestOption`; its key left out or not text, every allowed value:
 * `required: add name; expected allow_all | …`, `expected allow_all | …, got 5`),
 * a missing field says to add it (`required: add policy`),
 * a value of the wrong type says what was expected and what was given
 * (`expected a number, got "abc"`), a value outside a list its nearest
 * allowed one, a value out of range the bound (`expected at most 5`), text
 * not in its form the form (`expected a URL, got "x"`), and a value no form
 * of a union takes the forms (`expected text or a number, got true`). Text
 * given is shown cut at 60 characters. Messages a schema words itself are kept.
 */
export const plainErrorMap: z.core.$ZodErrorMap = (iss) =>
  noKeysMessage(iss) ??
  suggestKeys(iss) ??
  suggestOption(iss) ??
  optionMessage(iss) ??
  typeMessage(iss) ??
  valueMessage(iss) ??
  rangeMessage(iss) ??
  formatMessage(iss) ??
  unionMessage(iss) ??
  otherMessage(iss);

/**
 * A key given to an object that takes none (`policy: { name: allow_all, params: { maxMsat: 5000 } }`):
 * says so, instead of an empty list of allowed keys. Zod does not tell an error map what the object
 * belongs to (the policy's name is in its parent), so the message names the keys given and the path
 * (`describeIssue`) names the object.
 */
function noKeysMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'unrecognized_keys') return undefined;
  const def = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  if (!def?.shape || Object.keys(def.shape).length > 0) return undefined;
  const keys = iss.keys.map((k) => `"${k}"`).join(', ');
  return `unknown key${iss.keys.length > 1 ? 's' : ''} ${keys}: this object takes no keys; remove ${iss.keys.length > 1 ? 'them' : 'it'}`;
}

/** What `describeIssues` lists. */
export interface DescribeOptions {
  /** What an issue at the root is about (`body`, `query`); without it its message stands alone. */
  whole?: string;
  /** Issues listed before `; and N more` (default 5). */
  shown?: number;
}

/**
 * Issues (worded by `plainErrorMap`) in one line, each where it is and what
 * is wrong: `listing.tiers[0].priceMsat: expected at least 0; body: …`,
 * the first `shown`, then `; and N more`.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  { whole, shown = 5 }: DescribeOptions = {},
): string {
  const more = issues.length - shown;
  const listed = issues.slice(0, shown).map((i) => describeIssue(i, whole));
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** One issue: `buyers[0].policy: required: add policy`; an issue at the root is named by `whole`, if given. */
export function describeIssue(issue: z.core.$ZodIssue, whole?: string): string {
  const where = formatPath(issue.path) || whole;
  return where ? `${where}: ${issue.message}` : issue.message;
}

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
  if (iss.input === undefined) return required(iss);
  return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${given(iss.input)}`;
}

/** A field left out: `required: add policy`. */
function required(iss: z.core.$ZodRawIssue): string {
  const key = iss.path?.at(-1);
  return typeof key === 'string' ? `required: add ${key}` : 'required';
}

/**
 * A discriminated union's key left out (`required: add name; expected a | b`)
 * or given as something other than text (`expected a | b, got 5`); text none
 * of its options has is `suggestOption`'s.
 */
function optionMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const o = unionOption(iss);
  if (!o) return undefined;
  const expected = `expected ${o.names.join(' | ')}`;
  return o.value === undefined ? `required: add ${o.key}; ${expected}` : `${expected}, got ${given(o.value)}`;
}

/** A value not among a list's (`align: calender`): the nearest allowed one, then all of them; left out, all of them. */
function valueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_value') return undefined;
  const allowed = iss.values.map(String);
  if (iss.input === undefined) return `${required(iss)}; expected ${allowed.join(' | ')}`;
  const hint = typeof iss.input === 'string' ? nearest(iss.input, allowed) : undefined;
  return `expected ${allowed.join(' | ')}, got ${given(iss.input)}${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

/** A number, list or text past a bound: `expected at most 9,007,199,254,740,991`, `expected at least 1 item`. */
function rangeMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'too_big' && iss.code !== 'too_small') return undefined;
  const big = iss.code === 'too_big';
  const bound = big ? iss.maximum : iss.minimum;
  const inclusive = iss.inclusive !== false;
  const word = iss.exact
    ? 'exactly'
    : big
      ? inclusive
        ? 'at most'
        : 'less than'
      : inclusive
        ? 'at least'
        : 'more than';
  const n = typeof bound === 'number' ? bound.toLocaleString('en-US') : String(bound);
  const unit = UNIT[iss.origin];
  return `expected ${word} ${n}${unit ? ` ${bound === 1 ? unit : `${unit}s`}` : ''}`;
}

const UNIT: Record<string, string> = { array: 'item', set: 'item', string: 'character', map: 'entry' };

/** Text not in its form: `expected a URL, got "not a url"`, `expected text matching /^[a-z]+$/, got "EU"`. */
function formatMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_format') return undefined;
  const got = `, got ${given(iss.input)}`;
  if (iss.format === 'regex' && iss.pattern) return `expected text matching ${iss.pattern}${got}`;
  if (iss.format === 'starts_with') return `expected text starting with "${String(iss.prefix)}"${got}`;
  if (iss.format === 'ends_with') return `expected text ending with "${String(iss.suffix)}"${got}`;
  if (iss.format === 'includes') return `expected text containing "${String(iss.includes)}"${got}`;
  return `expected ${FORMAT[iss.format] ?? `text in ${iss.format} form`}${got}`;
}

const FORMAT: Record<string, string> = {
  url: 'a URL',
  email: 'an email address',
  uuid: 'a UUID',
  datetime: 'an ISO 8601 date and time',
  date: 'an ISO 8601 date',
  time: 'an ISO 8601 time',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  base64: 'base64 text',
  base64url: 'base64url text',
  hex: 'hex text',
};

/**
 * A value none of a union's forms takes (a union that is not told apart by a
 * key; `suggestOption` words those): the kinds it takes when the value's kind
 * is wrong (`expected text or a number, got true`), else the first problem
 * of the form it came closest to (fewest problems), where it is inside it
 * (`at maxMsat: expected at least 0`).
 */
function unionMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_union') return undefined;
  if (iss.input === undefined) return required(iss);
  if (iss.inclusive === false)
    return `expected a value that matches exactly one form, got ${given(iss.input)}`;
  const kinds = iss.errors.map((o) => {
    const only = o.length === 1 ? o[0] : undefined;
    return only?.code === 'invalid_type' && only.path.length === 0 ? only.expected : undefined;
  });
  if (kinds.length && kinds.every((k) => k !== undefined))
    return `expected ${[...new Set(kinds)].map((k) => EXPECTED[k] ?? k).join(' or ')}, got ${given(iss.input)}`;
  const closest = iss.errors.filter((_, i) => kinds[i] === undefined).sort((a, b) => a.length - b.length)[0];
  const first = closest?.[0];
  if (!first) return undefined;
  return first.path.length ? `at ${formatPath(first.path)}: ${first.message}` : first.message;
}

/** The rest: a number off its step, a key or element a record, map or set refuses. */
function otherMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code === 'not_multiple_of')
    return `expected a multiple of ${String(iss.divisor)}, got ${given(iss.input)}`;
  if (iss.code === 'invalid_key') return `key not allowed (${iss.issues[0]?.message ?? 'invalid'})`;
  if (iss.code === 'invalid_element') return `value not allowed (${iss.issues[0]?.message ?? 'invalid'})`;
  if (iss.code === 'unrecognized_keys')
    return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
  return undefined;
}

/** Text shown of a value given, at most (a client's or a model's text may be long). */
const GIVEN_CHARS = 60;

/** A value as a file or a flag would show it: text quoted (cut at GIVEN_CHARS), a list or object by its kind. */
function given(v: unknown): string {
  if (typeof v === 'string')
    return v.length > GIVEN_CHARS
      ? `${JSON.stringify(`${v.slice(0, GIVEN_CHARS)}…`)} (${v.length.toLocaleString('en-US')} characters)`
      : JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}
