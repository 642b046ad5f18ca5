/**
 * Entry point: an lnget-like L402 fetch through a real LND node.
 *
 *   npx tsx agents/cli.ts fetch <url> [--node buyer-1] [--network .regtest/network.json]
 *        [--max-price-msat 1000000] [--max-fee-msat N] [--method GET] [--data BODY]
 *        [--header 'k: v' …] [--tokens ~/.cache/l402-lab/tokens.json] [--pay-on-success] [--json]
 *
 * The body goes to stdout; the purchase record (outcome, amounts, timings) to
 * stderr. Exit code 0 on success, 1 on a refused or failed purchase, 2 on bad usage.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createLogger, type Logger } from '../infra/log.js';
import type { LndNode } from '../infra/lightning/lnd/index.js';
import { connectNode } from '../infra/regtest/connect.js';
import { loadNetwork, nodeByName, nodesByRole } from '../infra/regtest/network-file.js';
import { systemClock } from '../infra/time/clock.js';
import { createL402Client, FileTokenStore } from './l402/index.js';
import { createPolicy } from './policies/index.js';
import type { PurchaseResult } from './l402/outcome.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `agents/cli.ts fetch <url> — pay for an HTTP resource behind L402 with a real LND node (lnget-like).

  --network PATH        network.json from npm run network:up / attach (default .regtest/network.json)
  --node NAME           which node pays (default: the first node with role buyer)
  --max-price-msat N    refuse invoices above N msat (default 1000000, lnget's 1000 sat)
  --max-fee-msat N      routing-fee ceiling (default 1% of the price, at least 1 sat)
  --method M            HTTP method (default GET, POST when --data is given)
  --data BODY           request body
  --header 'K: V'       extra request header (repeatable)
  --tokens PATH         token file (default ~/.cache/l402-lab/tokens.json); tokens are reused until spent
  --pay-on-success      ask for a hold invoice: pay only if the seller delivers
  --json                print the purchase record as JSON on stderr`;

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
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** What `fetch` was asked to do, checked. */
interface FetchOk {
  ok: true;
  url: string;
  maxPriceMsat: number;
  maxFee: number | undefined;
  headers: Headers;
}

/** What `fetch` was asked to do, checked; or the usage error to print. */
type FetchRequest = FetchOk | { ok: false; message: string };

function fetchRequest(url: string, values: Values): FetchRequest {
  const maxPriceMsat = Number(values['max-price-msat']);
  const maxFee = values['max-fee-msat'] === undefined ? undefined : Number(values['max-fee-msat']);
  if (
    !Number.isSafeInteger(maxPriceMsat) ||
    maxPriceMsat < 0 ||
    (maxFee !== undefined && (!Number.isSafeInteger(maxFee) || maxFee < 0))
  )
    return { ok: false, message: '--max-price-msat and --max-fee-msat must be non-negative integers (msat)' };
  const headers = new Headers();
  for (const h of values.header) {
    const i = h.indexOf(':');
    if (i <= 0) return { ok: false, message: `--header wants 'Name: value', got ${JSON.stringify(h)}` };
    headers.append(h.slice(0, i).trim(), h.slice(i + 1).trim());
  }
  return { ok: true, url, maxPriceMsat, maxFee, headers };
}

/** The purchase record on stderr: JSON, or one line. */
function report(r: Omit<PurchaseResult, 'response'>, json: boolean): void {
  if (json) console.error(JSON.stringify(r));
  else
    console.error(
      `${r.outcome}${r.reason ? ` (${r.reason})` : ''}: paid ${r.paidMsat} msat + fee ${r.feeMsat} msat` +
        `${r.tokenReused ? ', token reused' : ''}, ${r.timings.endedAt - r.timings.startedAt} ms`,
    );
}

/** Buys `req.url` once with `node`: the body to stdout, the record to stderr; returns the exit code. */
async function fetchPaid(
  node: LndNode,
  buyer: string,
  req: FetchOk,
  values: Values,
  logger: Logger,
): Promise<number> {
  const { maxPriceMsat, maxFee } = req;
  // One writer per token file: a second l402 process on the same file is refused until this one ends.
  const tokens = await FileTokenStore.open(values.tokens);
  try {
    const client = createL402Client({
      node,
      fetch: globalThis.fetch,
      clock: systemClock,
      logger,
      tokens,
      policy: createPolicy(
        { name: 'max_per_request', params: { maxMsat: maxPriceMsat } },
        { clock: systemClock },
      ),
      ...(maxFee !== undefined ? { maxFeeMsat: () => maxFee } : {}),
      buyer,
    });
    await client.recover();
    const method = values.method ?? (values.data !== undefined ? 'POST' : 'GET');
    const r = await client.purchase(
      req.url,
      { method, headers: req.headers, ...(values.data !== undefined ? { body: values.data } : {}) },
      { maxPriceMsat, payOnSuccess: values['pay-on-success'], buyer },
    );
    if (r.response) process.stdout.write(Buffer.from(await r.response.arrayBuffer()));
    const { response: _r, ...record } = r;
    report(record, values.json);
    return r.outcome === 'success' ? 0 : 1;
  } finally {
    await tokens.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, url] = positionals;
  if (values.help || command !== 'fetch' || !url) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const req = fetchRequest(url, values);
  if (!req.ok) {
    console.error(req.message);
    return 2;
  }
  const logger = createLogger({ name: 'l402-fetch', level: process.env.LOG_LEVEL ?? 'warn' });
  const net = await loadNetwork(values.network);
  const desc = values.node ? nodeByName(net, values.node) : nodesByRole(net, 'buyer')[0];
  if (!desc) {
    console.error(`no --node given and no node with role buyer in ${values.network}`);
    return 2;
  }
  const node = await connectNode(desc, { clock: systemClock, logger });
  return fetchPaid(node, desc.name, req, values, logger);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`l402 fetch failed: ${(err as Error)?.message ?? err}`);
    process.exit(1);
  },
);
