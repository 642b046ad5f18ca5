/**
 * The regtest CLI's arguments: each command's own options, parsed strictly
 * (an unknown option, an option of another command, a positional or an
 * empty value is a usage error, exit 2) before anything starts.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseArgsError, parseArgsOnce, refuseEmptyOptions, usageError } from '../cli-options.js';
import { LabError } from '../errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_OUT = join(ROOT, '.regtest', 'network.json');
export const DEFAULT_STATE = join(ROOT, '.regtest', 'state');

const help = { help: { type: 'boolean', short: 'h' } } as const;
const out = { out: { type: 'string', default: DEFAULT_OUT } } as const;
const state = { state: { type: 'string', default: DEFAULT_STATE } } as const;

/** Each command's options (its --help describes them). */
const OPTIONS = {
  up: {
    ...help,
    ...out,
    ...state,
    native: { type: 'boolean' },
    docker: { type: 'boolean' },
    'local-images': { type: 'boolean' },
    'polar-images': { type: 'boolean' },
    prepare: { type: 'boolean' },
    topology: { type: 'string', default: 'default' },
  },
  down: { ...help, ...state },
  attach: {
    ...help,
    ...out,
    polar: { type: 'string' },
    role: { type: 'string', multiple: true, default: [] as string[] },
    'polar-home': { type: 'string', multiple: true, default: [] as string[] },
    'running-only': { type: 'boolean' },
  },
  status: { ...help, ...out, ...state },
  build: { ...help, aperture: { type: 'boolean' } },
  'docker-prepare': { ...help, 'local-images': { type: 'boolean' } },
  'docker-stop': { ...help },
} satisfies Record<string, NonNullable<ParseArgsConfig['options']>>;

type Options = typeof OPTIONS;
export type CommandName = keyof Options;
/** The parsed options of command `K`. */
export type CommandValues<K extends CommandName> = ReturnType<
  typeof parseArgs<{ options: Options[K]; strict: true }>
>['values'];

export const COMMAND_NAMES = Object.keys(OPTIONS) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(OPTIONS, name);
}

/** How a user names a command: the npm script where there is one. */
export function commandLabel(name: CommandName): string {
  return ['docker-prepare', 'docker-stop'].includes(name) ? name : `network:${name}`;
}

/** The first `--name` in `args` that command `name` does not take but another command does. */
function foreignOption(name: CommandName, args: string[]): string | undefined {
  const { tokens } = parseArgs({ args, options: OPTIONS[name], strict: false, tokens: true });
  for (const t of tokens) if (t.kind === 'option' && !Object.hasOwn(OPTIONS[name], t.name)) return t.name;
  return undefined;
}

function refuseForeignOptions(name: CommandName, args: string[]): void {
  const option = foreignOption(name, args);
  if (option === undefined) return;
  const owners = COMMAND_NAMES.filter((c) => Object.hasOwn(OPTIONS[c], option)).map(commandLabel);
  if (owners.length)
    throw usageError(`--${option} is an option of ${owners.join(', ')}, not of ${commandLabel(name)}`);
}

function parseStrict<K extends CommandName>(name: K, args: string[]): CommandValues<K> {
  try {
    return parseArgsOnce({ args, options: OPTIONS[name], strict: true }).values as CommandValues<K>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw parseArgsError(err);
    throw err;
  }
}

/** Checks that need more than one option: the combinations a command refuses. */
function refuseCombinations(name: CommandName, values: Record<string, unknown>): void {
  if (values.native && values.docker) throw usageError('choose one of --native and --docker');
  if (values['local-images'] && values['polar-images'])
    throw usageError('choose one of --local-images and --polar-images');
  // up's Docker-only options: without --docker the native path may be taken and would ignore them.
  const dockerOnly = ['local-images', 'polar-images', 'prepare'].find((o) => values[o]);
  if (name === 'up' && dockerOnly && !values.docker)
    throw usageError(`--${dockerOnly} works only with --docker`);
}

/**
 * Parses command `name`'s arguments; every usage error throws a `usage`
 * LabError naming the problem. `help` is true for --help.
 */
export function parseCommandArgs<K extends CommandName>(
  name: K,
  args: string[],
): { help: boolean; values: CommandValues<K> } {
  refuseForeignOptions(name, args);
  const values = parseStrict(name, args);
  const record = values as Record<string, unknown>;
  refuseEmptyOptions(record);
  if (record.help === true) return { help: true, values };
  refuseCombinations(name, record);
  return { help: false, values };
}

/**
 * The state folder a command reads: a --state that does not exist is an
 * error naming it; the default one may be absent (nothing was started).
 */
export function stateDirFrom(given: string): string {
  const dir = resolve(given);
  if (dir !== DEFAULT_STATE && !existsSync(dir))
    throw new LabError(
      'not_found',
      `no state folder ${dir}: give the --state that network:up was given (default .regtest/state)`,
    );
  return dir;
}

/** The network.json a command writes: refused (before anything starts) when --out is a folder. */
export function outFileFrom(given: string): string {
  const file = resolve(given);
  if (existsSync(file) && statSync(file).isDirectory())
    throw usageError(`--out ${file} is a folder; give the path of the network.json to write`);
  return file;
}
