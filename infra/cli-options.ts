/**
 * Checks shared by every command line, on the values `node:util` `parseArgs`
 * returns. parseArgs takes `--host ""` as a value; an empty option is never
 * what a user meant (an empty host listens on every interface, an empty
 * number reads as 0), so each CLI refuses it as a usage error (exit 2).
 * Ports, whole numbers and URLs are checked here too, before anything starts:
 * each bad value is a `usage` LabError naming its flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LabError } from './errors.js';

/**
 * `node:util` `parseArgs`, refusing a single-valued option given more than
 * once as a `usage` LabError: parseArgs keeps the last silently, so
 * `--seed 1 --seed 2` would run seed 2 with nothing said. Options declared
 * `multiple: true` (`--set`, `--grid`) may repeat.
 */
export function parseArgsOnce<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const { tokens = [] } = parseArgs({ ...(config as ParseArgsConfig), tokens: true });
  const given = new Map<string, (string | undefined)[]>();
  for (const t of tokens) {
    if (t.kind !== 'option' || config.options?.[t.name]?.multiple) continue;
    given.set(t.name, [...(given.get(t.name) ?? []), t.value]);
  }
  for (const [name, values] of given) if (values.length > 1) throw repeatedOption(name, values);
  return parseArgs(config);
}

function repeatedOption(name: string, values: (string | undefined)[]): LabError<'usage'> {
  const times = values.length === 2 ? 'twice' : `${values.length} times`;
  const shown = values.every((v) => v === undefined) ? '' : ` (${values.join(', ')})`;
  return new LabError('usage', `--${name} is given ${times}${shown}; give it once`);
}

/** Throws a `usage` LabError naming the first option given as an empty string. */
export function refuseEmptyOptions(values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw new LabError('usage', `--${key} must not be empty; run with --help for the options`);
  }
}

/** A `usage` LabError (exit 2): `message`, then where to look. */
export function usageError(message: string): LabError<'usage'> {
  return new LabError('usage', `${message.replace(/\.\s*$/, '')}; run with --help for the options`);
}

/**
 * What `parseArgs` threw (unknown option, missing value, …) as a `usage`
 * LabError; an unknown option's hint about positionals is dropped.
 */
export function parseArgsError(err: unknown): LabError<'usage'> {
  const message = err instanceof Error ? err.message : String(err);
  return usageError(message.replace(/\. To specify a positional argument[^]*$/, ''));
}

/** `--name`'s TCP port: an integer 0..65535 (0: the system picks a free one). */
export function portOption(name: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(port) || port > 65535)
    throw usageError(`--${name} must be a port number 0..65535, got ${JSON.stringify(value)}`);
  return port;
}

/**
 * `--name`'s whole number, `min` to `max` (default: the largest safe integer,
 * 2^53 − 1, which a value past it is told; others are told `of at least min`).
 */
export function integerOption(name: string, value: string, min: number, max?: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER)) return n;
  const tooBig = n > (max ?? Number.MAX_SAFE_INTEGER);
  const range =
    max === undefined && !tooBig ? `of at least ${min}` : `${min}..${max ?? Number.MAX_SAFE_INTEGER}`;
  throw usageError(`--${name} must be an integer ${range}, got ${JSON.stringify(value)}`);
}

/** The longest delay a timer takes (Node's setTimeout fires at once beyond it): for `--…-ms` flags. */
export const MAX_TIMER_MS = 2_147_483_647;

/** `value` as an absolute http:// or https:// URL, or undefined when it is not one. */
export function parseHttpUrl(value: string): URL | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : undefined;
}

/** `--name`'s absolute http:// or https:// URL. */
export function httpUrlOption(name: string, value: string): URL {
  const url = parseHttpUrl(value);
  if (!url) throw usageError(`--${name} must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
  return url;
}
