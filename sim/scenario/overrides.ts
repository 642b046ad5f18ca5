import { parse as parseYaml } from 'yaml';
import { ScenarioError, formatPath } from './errors.js';
import { yamlReason } from './yaml-text.js';
import { LabError } from '../../infra/errors.js';

/**
 * Dotted-path overrides (`buyers[0].policy.params.maxMsat=5000`,
 * `durationSec=30`): what sweeps vary and what tests use to shorten runs.
 * Applied to the raw document before validation, so an override that breaks
 * the scenario fails with the same path-and-reason errors as the file would.
 */
export type Overrides = Record<string, unknown>;

/**
 * Keys no scenario has, which would reach JavaScript's object machinery instead of the document
 * (`__proto__.x=1` would set `x` on every object of the process).
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits `a.b[0].c` or `a.b.0.c` into keys; numeric keys index arrays. Refuses `__proto__`, `constructor`, `prototype`. */
export function parsePath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) throw badPath(path);
    if (RESERVED_KEYS.has(m[1]!))
      throw badPath(
        path,
        `"${m[1]}" cannot be a key (no path may contain __proto__, constructor or prototype): ` +
          "use the scenario's own keys, such as buyers[0].budgetMsat",
      );
    if (m[1]) keys.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

/** Reads the value at a dotted path (the document's own entries only), or undefined. */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of parsePath(path)) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * Returns a copy of `doc` with `value` set at `path`, creating objects and lists on the way.
 * An index may name an entry of a list or the next one, which appends an entry; one further is refused.
 */
export function setPath<T>(doc: T, path: string, value: unknown): T {
  const keys = parsePath(path);
  const root = structuredClone(doc) as unknown;
  if (root === null || typeof root !== 'object') throw badPath(path, 'the scenario is not an object');
  let cur = root as Record<string | number, unknown>;
  keys.forEach((key, i) => {
    // `buyers.length=-1` would resize the list, `buyers.x=5` set a key no scenario reads.
    if (typeof key === 'string' && Array.isArray(cur)) throw badPath(path, notAnIndex(keys.slice(0, i), key));
    if (typeof key === 'number' && Array.isArray(cur) && key > cur.length)
      throw badPath(path, outOfRange(keys.slice(0, i), key, cur.length));
    if (i === keys.length - 1) {
      cur[key] = value;
      return;
    }
    // Only the document's own entries: an inherited `toString` is no object to descend into.
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (next === undefined) {
      const created = typeof keys[i + 1] === 'number' ? [] : {};
      cur[key] = created;
      cur = created as Record<string | number, unknown>;
    } else if (next !== null && typeof next === 'object') {
      cur = next as Record<string | number, unknown>;
    } else {
      throw badPath(path, `${formatPath(keys.slice(0, i + 1))} is a ${typeof next}, not an object`);
    }
  });
  return root as T;
}

// `buyers is a list: "length" is not an index; give one, such as buyers[0]`.
function notAnIndex(list: (string | number)[], key: string): string {
  const at = formatPath(list);
  return `${at} is a list: "${key}" is not an index; give one, such as ${at}[0]`;
}

// `index 99 is out of range: buyers has 2 entries (index 2 adds one)`.
function outOfRange(list: (string | number)[], index: number, length: number): string {
  const has = length === 1 ? '1 entry' : `${length || 'no'} entries`;
  return `index ${index} is out of range: ${formatPath(list)} has ${has} (index ${length} adds one)`;
}

/** Applies every override in order. */
export function applyOverrides<T>(doc: T, overrides: Overrides): T {
  let out = doc;
  for (const [path, value] of Object.entries(overrides)) out = setPath(out, path, value);
  return out;
}

/**
 * Parses a command-line value as a YAML scalar or flow collection: `5000` → 5000, `[a,b]` → ['a','b'].
 * Text YAML cannot parse (an unclosed quote or bracket) is a usage error naming `flag`, never taken
 * as the raw text: `'unterminated` would otherwise become a value with its quote in it.
 */
export function parseOverrideValue(text: string, flag: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    const why = yamlReason((err as Error).message);
    throw new LabError('usage', `${flag}: ${text} is not valid YAML: ${why}; close its quotes or brackets`);
  }
}

/**
 * Parses `--set key=value` arguments, in command-line order (applied in that order, so a later
 * `--set` on a path under an earlier one changes it). A malformed one is a usage error, and so is
 * a path given twice, in any spelling (`buyers.0.count` is `buyers[0].count`): only one could win.
 */
export function parseOverrideArgs(args: readonly string[]): Overrides {
  const out: Overrides = {};
  const seen = new Map<string, string>();
  for (const arg of args) {
    const { key, value } = splitFlagValue('--set', arg, 'KEY=VALUE, e.g. --set durationSec=30');
    const id = pathKey(key);
    const earlier = seen.get(id);
    if (earlier !== undefined)
      throw new LabError(
        'usage',
        `--set ${arg}: the path ${key} is already set by --set ${earlier}; give each path once, with the value you mean`,
      );
    seen.set(id, arg);
    out[key] = parseOverrideValue(value, `--set ${key}`);
  }
  return out;
}

/** One spelling per path, for comparing paths: `buyers.0.count` and `buyers[0].count` are the same field. */
export function pathKey(path: string): string {
  return JSON.stringify(parsePath(path));
}

/**
 * Splits a command-line `path=value` given to `flag`, refusing (a `usage` error naming the flag and
 * the `form` it expects) one without a path or value, or whose path is not a dotted path.
 */
export function splitFlagValue(flag: string, arg: string, form: string): { key: string; value: string } {
  const eq = arg.indexOf('=');
  const key = arg.slice(0, eq);
  const value = arg.slice(eq + 1);
  if (eq <= 0 || value.trim() === '') throw new LabError('usage', `${flag} ${arg}: expected ${form}`);
  try {
    parsePath(key);
  } catch (e) {
    const why = (e as ScenarioError).issues?.[0]?.message;
    const reserved =
      why && why !== DOTTED_PATH ? why : `"${key}" is not a dotted path such as buyers[0].budgetMsat`;
    throw new LabError('usage', `${flag} ${arg}: ${reserved}`);
  }
  return { key, value };
}

const DOTTED_PATH = 'expected a dotted path such as buyers[0].budgetMsat';

function badPath(path: string, why = DOTTED_PATH): ScenarioError {
  return new ScenarioError('bad_override', [{ path, message: why }]);
}
