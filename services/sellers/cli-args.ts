/**
 * The seller command line, checked before anything starts: every bad flag is
 * a `usage` LabError naming it (the CLI prints it and exits 2).
 */
import { readFile } from 'node:fs/promises';
import type { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import {
  httpUrlOption,
  integerOption,
  parseArgsError,
  portOption,
  refuseEmptyOptions,
  usageError,
  parseArgsOnce,
} from '../../infra/cli-options.js';
import { isLabError } from '../../infra/errors.js';
import { ARCHETYPES, parseSellerConfig, type SellerConfig } from './config.js';

export const USAGE = `usage: npm run seller -- --archetype <${ARCHETYPES.join('|')}> [options]

Runs one L402 seller (paywalled Hono app) on a real socket.

options:
  --archetype KIND         ${ARCHETYPES.join(', ')} (required, unless --config gives it)
  --config FILE            seller config (JSON or YAML, see docs/services.md "Sellers"); flags override it
  --name NAME              service name (default: the archetype)
  --price-msat N           fixed unit price in msat (default 10000)
  --adversarial MODE       overcharge | wrong-payee | no-delivery | slow
  --pay-on-success         offer hold invoices (request header L402-Pay-On-Success: 1)
  --floor-msat N           answer bids (L402-Bid) below the price with the rule negotiator, down to N msat
                           (the config's "negotiation" also sets rounds, offer lifetime, negotiatorRate)
  --max-calls-given-back N most calls each bundle token gets back when the handler answers 5xx
                           (default: as many as it holds; 0: none)
  --port N                 port (default 7402, clear of Polar's LND REST ports 8081+; 0 picks a free one)
  --host HOST              interface to bind (default 127.0.0.1)
  --public-url URL         http(s)://host[:port] buyers reach this seller at (default http://HOST:PORT)
  --network WHERE          embedded (default): an in-process Lightning network;
                           or a regtest network.json (npm run network:up) to use a real LND node
  --node NAME              with --network FILE: which node (default: the first with role seller)
  --registry URL           register the listing there (signed by the node), remove it on exit; a registry
                           not up yet (or answering 503) is retried for 60 s (1 s doubling, at most 15 s)
  --state-dir DIR          where the seller keeps its root key (created from the OS on first start, mode
                           0600) and the calls its tokens used, so a restart keeps every token sold working
                           with the calls it has left; one seller per DIR (default: with --network FILE,
                           sellers/NODE/NAME beside FILE; embedded: in memory, as nothing sold on an
                           in-process network outlives the process)
  --seed S                 seed for data, latency and failures (default 1); keys and
                           preimages always come from the OS
  --demo                   embedded only: buy once from ourselves over HTTP and print the result
  -h, --help               show this help

LLM summaries use OPENAI_API_KEY (+ OPENAI_BASE_URL, OPENAI_MODEL) when set, an extractive fallback otherwise.`;

const OPTIONS = {
  archetype: { type: 'string' },
  config: { type: 'string' },
  name: { type: 'string' },
  'price-msat': { type: 'string' },
  adversarial: { type: 'string' },
  'pay-on-success': { type: 'boolean' },
  'floor-msat': { type: 'string' },
  'max-calls-given-back': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  network: { type: 'string' },
  node: { type: 'string' },
  registry: { type: 'string' },
  'state-dir': { type: 'string' },
  seed: { type: 'string' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

/** What the seller CLI was asked to run, checked. */
export interface SellerArgs {
  config: SellerConfig;
  port: number;
  host: string;
  /** The origin buyers reach the seller at, when not the listening address. */
  publicUrl?: string;
  registry?: string;
  /** `embedded` or the path of a network.json. */
  network: string;
  node?: string;
  /** --state-dir, when given (cli-run.ts picks the default). */
  stateDir?: string;
  seed: string | number;
  demo: boolean;
}

async function readConfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(`cannot read --config ${path}: ${(err as Error).message}`);
  }
  let v: unknown;
  try {
    v = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw usageError(`--config ${path} does not parse: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw usageError(`--config ${path} must hold an object`);
  return v as Record<string, unknown>;
}

/** The archetype: the flag's, else the config file's; one of ARCHETYPES either way. */
function archetypeOf(flag: string | undefined, fromFile: unknown): unknown {
  const choices = ARCHETYPES.join(', ');
  if (flag !== undefined && !(ARCHETYPES as readonly string[]).includes(flag))
    throw usageError(`--archetype must be one of ${choices}, got ${JSON.stringify(flag)}`);
  if (flag === undefined && fromFile === undefined)
    throw usageError(`--archetype is required (one of: ${choices})`);
  return flag ?? fromFile;
}

/** The seller configuration: the --config file, then the flags over it. */
async function configFrom(v: Values): Promise<SellerConfig> {
  const raw: Record<string, unknown> = v.config ? await readConfig(v.config) : {};
  raw.archetype = archetypeOf(v.archetype, raw.archetype);
  if (v.name) raw.name = v.name;
  if (v['price-msat'] !== undefined)
    raw.price = { kind: 'fixed', msat: integerOption('price-msat', v['price-msat'], 1) };
  if (v.adversarial) raw.adversarial = { mode: v.adversarial };
  if (v['pay-on-success']) raw.payOnSuccess = true;
  if (v['floor-msat'] !== undefined)
    raw.negotiation = floorNegotiation(raw.negotiation, integerOption('floor-msat', v['floor-msat'], 1));
  if (v['max-calls-given-back'] !== undefined)
    raw.maxCallsGivenBack = integerOption('max-calls-given-back', v['max-calls-given-back'], 0);
  try {
    return parseSellerConfig(raw, flagNames(v));
  } catch (err) {
    if (isLabError(err, 'invalid_seller_config')) throw usageError(err.message);
    throw err;
  }
}

/** The config fields the flags given set, by flag: a refusal of one names the flag. */
const FLAG_FIELDS = {
  name: 'name',
  'price-msat': 'price.msat',
  adversarial: 'adversarial.mode',
  'floor-msat': 'negotiation.floorMsat',
  'max-calls-given-back': 'maxCallsGivenBack',
} as const;

function flagNames(v: Values): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [flag, field] of Object.entries(FLAG_FIELDS))
    if (v[flag as keyof typeof FLAG_FIELDS] !== undefined) names[field] = `--${flag}`;
  return names;
}

/** --floor-msat over the config's negotiation: its floor instead of the config's floor or cost and margin. */
function floorNegotiation(fromFile: unknown, floorMsat: number): Record<string, unknown> {
  const n =
    fromFile !== null && typeof fromFile === 'object' ? { ...(fromFile as Record<string, unknown>) } : {};
  delete n.costMsat;
  delete n.marginPct;
  return { ...n, floorMsat };
}

/** --public-url: an origin, since the listing and the manifest keep only that. */
function publicOrigin(value: string): string {
  const url = httpUrlOption('public-url', value);
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password)
    throw usageError(`--public-url must be http(s)://host[:port] with no path, got ${JSON.stringify(value)}`);
  return url.origin;
}

/** Flags that only make sense on one kind of network. */
function checkNetworkFlags(network: string, v: Values): void {
  if (network === 'embedded' && v.node !== undefined)
    throw usageError('--node needs --network FILE (the embedded network has no named nodes)');
  if (network !== 'embedded' && v.demo) throw usageError('--demo needs the embedded network (no --network)');
}

function parse(argv: string[]): Values {
  try {
    return parseArgsOnce({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (err) {
    throw parseArgsError(err);
  }
}

/** Reads and checks `argv`; 'help' when the help was asked for. Throws a `usage` LabError on bad input. */
export async function sellerArgs(argv: string[]): Promise<SellerArgs | 'help'> {
  const v = parse(argv);
  refuseEmptyOptions(v);
  if (v.help) return 'help';
  const network = v.network ?? 'embedded';
  checkNetworkFlags(network, v);
  const port = v.port === undefined ? 7402 : portOption('port', v.port);
  const publicUrl = v['public-url'] === undefined ? undefined : publicOrigin(v['public-url']);
  if (v.registry !== undefined) httpUrlOption('registry', v.registry);
  return {
    config: await configFrom(v),
    port,
    host: v.host ?? '127.0.0.1',
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    ...(v.registry !== undefined ? { registry: v.registry } : {}),
    network,
    ...(v.node !== undefined ? { node: v.node } : {}),
    ...(v['state-dir'] !== undefined ? { stateDir: v['state-dir'] } : {}),
    seed: v.seed ?? 1,
    demo: v.demo ?? false,
  };
}
