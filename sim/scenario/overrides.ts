import { parse as parseYaml } from 'yaml';
import { ScenarioError } from './errors.js';

/**
 * Dotted-path overrides (`buyers[0].policy.params.maxMsat=5000`,
 * `durationSec=30`): what sweeps vary and what tests use to shorten runs.
 * Applied to the raw document before validation, so an override that breaks
 * the scenario fails with the same path-and-reason errors as the file would.
 */
export type Overrides = Record<string, unknown>;

/** Splits `a.b[0].c` or `a.b.0.c` into keys; numeric keys index arrays. */
export function parsePath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) throw badPath(path);
    if (m[1]) keys.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

/** Reads the value at a dotted path, or undefined. */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Returns a copy of `doc` with `value` set at `path`, creating objects on the way. */
export function setPath<T>(doc: T, path: string, value: unknown): T {
  const keys = parsePath(path);
  const root = structuredClone(doc) as unknown;
  if (root === null || typeof root !== 'object') throw badPath(path, 'the scenario is not an object');
  let cur = root as Record<string | number, unknown>;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      cur[key] = value;
      return;
    }
    const next = cur[key];
    if (next === undefined) {
      const created = typeof keys[i + 1] === 'number' ? [] : {};
      cur[key] = created;
      cur = created as Record<string | number, unknown>;
    } else if (next !== null && typeof next === 'object') {
      cur = next as Record<string | number, unknown>;
    } else {
      throw badPath(path, `${keys.slice(0, i + 1).join('.')} is a ${typeof next}, not an object`);
    }
  });
  return root as T;
}

/** Applies every override in order. */
export function applyOverrides<T>(doc: T, overrides: Overrides): T {
  let out = doc;
  for (const [path, value] of Object.entries(overrides)) out = setPath(out, path, value);
  return out;
}

/** Parses a command-line value as a YAML scalar or flow collection: `5000` → 5000, `[a,b]` → ['a','b']. */
export function parseOverrideValue(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return text;
  }
}

/** Parses `key=value` pairs from the command line. */
export function parseOverrideArgs(args: readonly string[]): Overrides {
  const out: Overrides = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new ScenarioError('bad_override', [{ path: arg, message: 'expected key=value' }]);
    const key = arg.slice(0, eq);
    parsePath(key);
    out[key] = parseOverrideValue(arg.slice(eq + 1));
  }
  return out;
}

function badPath(path: string, why = 'expected a dotted path such as buyers[0].budgetMsat'): ScenarioError {
  return new ScenarioError('bad_override', [{ path, message: why }]);
}
