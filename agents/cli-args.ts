/**
 * The `npm run l402` command line, checked before anything connects: every
 * bad input (unknown command or flag, missing or bad URL, extra argument, bad
 * number or header, --data with GET or HEAD) is a `usage` LabError naming it
 * (the CLI prints it and exits 2).
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { parseArgs } from 'node:util';
import { type ParseArgsConfig } from 'node:util';
import {
  integerOption,
  parseArgsError,
  parseHttpUrl,
  refuseEmptyOptions,
  usageError,
  parseArgsOnce,
} from '../infra/cli-options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const HELP = `usage: npm run l402 -- fetch <url> [options]

Pays for an http(s) resource behind L402 with a real LND node (lnget-like).
The body goes to stdout, the purchase record to stderr; exit 0 on success,
1 on a refused or failed purchase, 2 on bad usage.

options:
  --network PATH        network.json from npm run network:up / attach (default .regtest/network.json)
  --node NAME           which node pays (default: the first node with role buyer)
  --max-price-msat N    refuse invoices above N msat (default 1000000, lnget's 1000 sat)
  --max-fee-msat N      routing-fee ceiling (default 1% of the price, at least 1 sat)
  --method M            HTTP method (default GET, POST when --data is given; not GET or HEAD with --data)
  --data BODY           request body
  --header 'K: V'       extra request header (repeatable)
  --tokens PATH         token file (default ~/.cache/l402-lab/tokens.json); tokens are reused until spent
  --pay-on-success      ask for a hold invoice: pay only if the seller delivers
  --json                print the purchase record as JSON on stderr
  --show-token          also print the paid token (macaroon and preimage; without --json, as an
                        Authorization header): whoever reads it can spend its calls, so by default
                        the record names it by payment hash, calls left and price only
  -h, --help            show this help`;

const OPTIONS = {
  network: { type: 'string', default: join(ROOT, '.regtest', 'network.json') },
  node: { type: 'string' },
  'max-price-msat': { type: 'string', default: '1000000' },
  'max-fee-msat': { type: 'string' },
  method: { type: 'string' },
  data: { type: 'string' },
  header: { type: 'string', multiple: true, default: [] },
  tokens: { type: 'string', default: join(homedir(), '.cache', 'l402-lab', 'tokens.json') },
  'pay-on-success': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'show-token': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** What `fetch` was asked to do, checked. */
export interface FetchArgs {
  url: string;
  network: string;
  node?: string;
  maxPriceMsat: number;
  maxFeeMsat?: number;
  method: string;
  data?: string;
  headers: Headers;
  tokens: string;
  payOnSuccess: boolean;
  json: boolean;
  /** Print the paid token (a bearer credential) in the record. */
  showToken: boolean;
}

function headersOf(lines: string[]): Headers {
  const headers = new Headers();
  for (const h of lines) {
    const i = h.indexOf(':');
    if (i <= 0) throw usageError(`--header wants 'Name: value', got ${JSON.stringify(h)}`);
    try {
      headers.append(h.slice(0, i).trim(), h.slice(i + 1).trim());
    } catch {
      throw usageError(`--header ${JSON.stringify(h)} is not a valid HTTP header`);
    }
  }
  return headers;
}

/** --method: an HTTP token (GET, POST, …); with --data, one that may carry a body (not GET or HEAD). */
function methodOf(method: string | undefined, data: string | undefined): string {
  if (method === undefined) return data !== undefined ? 'POST' : 'GET';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method))
    throw usageError(`--method must be an HTTP method such as GET or POST, got ${JSON.stringify(method)}`);
  if (data !== undefined && /^(GET|HEAD)$/i.test(method))
    throw usageError(
      `--data cannot go with --method ${method}: a ${method.toUpperCase()} request has no body; ` +
        'drop --method to send --data as a POST, or drop --data',
    );
  return method;
}

/** The one URL after `fetch`: present, alone, http or https. */
function urlOf(positionals: string[]): string {
  const [command, url, extra] = positionals;
  if (command === undefined) throw usageError('missing command: l402 fetch <url>');
  if (command !== 'fetch')
    throw usageError(`unknown command ${JSON.stringify(command)} (the one command is fetch)`);
  if (url === undefined) throw usageError('missing <url> after fetch');
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)} after the URL`);
  if (!parseHttpUrl(url))
    throw usageError(`<url> must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  return url;
}

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgsOnce({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw parseArgsError(err);
  }
}

/** Reads and checks `argv`; 'help' when the help was asked for. Throws a `usage` LabError on bad input. */
export function l402Args(argv: string[]): FetchArgs | 'help' {
  const { values: v, positionals } = parse(argv);
  refuseEmptyOptions(v);
  if (v.help) return 'help';
  const url = urlOf(positionals);
  const maxFee = v['max-fee-msat'];
  return {
    url,
    network: v.network,
    ...(v.node !== undefined ? { node: v.node } : {}),
    maxPriceMsat: integerOption('max-price-msat', v['max-price-msat'], 0),
    ...(maxFee !== undefined ? { maxFeeMsat: integerOption('max-fee-msat', maxFee, 0) } : {}),
    method: methodOf(v.method, v.data),
    ...(v.data !== undefined ? { data: v.data } : {}),
    headers: headersOf(v.header),
    tokens: v.tokens,
    payOnSuccess: v['pay-on-success'],
    json: v.json,
    showToken: v['show-token'],
  };
}
