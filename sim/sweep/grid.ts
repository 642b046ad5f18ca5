import { parse as parseYaml } from 'yaml';
import { parseOverrideValue, splitFlagValue, type Overrides } from '../scenario/overrides.js';
import { usageError } from '../../infra/cli-options.js';

/** One axis of a sweep: a dotted path into the scenario and the values it takes. */
export interface GridAxis {
  path: string;
  values: unknown[];
}

/** One point of the grid: its overrides and a short human label. */
export interface GridPoint {
  index: number;
  label: string;
  overrides: Overrides;
}

const GRID_FORM = "KEY=V1,V2, e.g. --grid 'buyers[0].decider.name=cheapest,random'";

/**
 * Parses `--grid key=v1,v2` arguments (a malformed one is a usage error). Values are YAML scalars; a value in
 * brackets or braces, or in single or double quotes, is parsed whole (`key=[1,2]` is one list value only if
 * quoted as `key='[1,2]'`, since commas separate values; `key="'a,b'"` is the one text value `a,b`).
 * A value YAML cannot parse is a usage error naming its axis, not taken as raw text.
 */
export function parseGridArgs(args: readonly string[]): GridAxis[] {
  return args.map((arg) => {
    const { key, value } = splitFlagValue('--grid', arg, GRID_FORM);
    return { path: key, values: splitValues(value).map((v, i) => gridValue(key, v, i)) };
  });
}

function gridValue(path: string, text: string, i: number): unknown {
  try {
    parseYaml(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
    throw usageError(
      `--grid ${path}: value ${i + 1} (${text}) is not valid YAML: ${why}; close its quotes or brackets (text holding a comma goes in quotes: --grid "${path}='a,b',c")`,
    );
  }
  return parseOverrideValue(text, `--grid ${path}`);
}

// YAML opens a quoted scalar only where a value starts (`it's` is plain text).
const QUOTE_START = /(^|[[{,:])\s*$/;

// Splits on commas outside brackets, braces and quotes, so `{name: a, params: {}},{name: b}` gives two
// values and `'a,b'` one. YAML's escapes keep a quote open: `''` inside single quotes, `\"` inside double.
function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === '"' && ch === '\\') {
      cur += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if ((ch === "'" || ch === '"') && QUOTE_START.test(cur)) quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0 && !quote) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The cartesian product of the axes, in row-major order (the last axis varies fastest). */
export function expandGrid(axes: readonly GridAxis[]): GridPoint[] {
  let points: Overrides[] = [{}];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.path]: v })));
  return points.map((overrides, index) => ({ index, label: labelOf(overrides), overrides }));
}

/**
 * Short labels built from the override values, e.g.
 * `buyers[0].policy=max_per_request(maxMsat=4000), durationSec=30`: an
 * object with a `name` shows as that name with its params, anything else as
 * compact JSON, so two points with different values never share a label.
 */
export function labelOf(overrides: Overrides): string {
  const parts = Object.entries(overrides).map(([k, v]) => `${k}=${shortValue(v)}`);
  return parts.length ? parts.join(', ') : 'baseline';
}

function shortValue(v: unknown): string {
  if (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typeof (v as { name?: unknown }).name === 'string'
  ) {
    const { name, params, ...rest } = v as { name: string; params?: unknown };
    const args = [params, rest]
      .filter(
        (x): x is Record<string, unknown> => x !== null && typeof x === 'object' && Object.keys(x).length > 0,
      )
      .flatMap((x) => Object.entries(x).map(([k, val]) => `${k}=${shortValue(val)}`));
    return args.length ? `${name}(${args.join(', ')})` : name;
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}
