/**
 * What `npm run l402 -- fetch` does once its arguments are checked
 * (cli-args.ts): finds the paying node in network.json, waits for it to
 * answer, buys the URL once, and reports the purchase (fetch-record.ts: the
 * paid token itself only with --show-token).
 */
import { usageError } from '../infra/cli-options.js';
import { defaultRetryPolicy, type LndNode } from '../infra/lightning/lnd/index.js';
import type { LightningNode } from '../infra/lightning/node.js';
import { createLogger, type Logger } from '../infra/log.js';
import { connectNode } from '../infra/regtest/connect.js';
import { loadNetwork, nodeByName, nodesByRole, type NodeDesc } from '../infra/regtest/network-file.js';
import { systemClock } from '../infra/time/clock.js';
import type { FetchArgs } from './cli-args.js';
import { createL402Client, FileTokenStore } from './l402/index.js';
import { recordLines, tokenOf } from './fetch-record.js';
import { createPolicy } from './policies/index.js';

/** Where the output goes: the body to stdout, lines (notices, the record) to stderr in the CLI. */
export interface FetchIo {
  body(bytes: Uint8Array): void;
  err(line: string): void;
}

/** How long LND may stay silent before we say we are still trying. */
const NOTICE_AFTER_MS = 1_000;

/** Buys `req.url` once with `node`: the body to stdout, the record to stderr; returns the exit code. */
export async function fetchPaid(
  io: FetchIo,
  node: LightningNode,
  buyer: string,
  req: FetchArgs,
  logger: Logger,
): Promise<number> {
  const { maxPriceMsat, maxFeeMsat } = req;
  // One writer per token file: a second l402 process on the same file is refused until this one ends.
  const tokens = await FileTokenStore.open(req.tokens, { logger });
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
      ...(maxFeeMsat !== undefined ? { maxFeeMsat: () => maxFeeMsat } : {}),
      buyer,
    });
    await client.recover();
    const r = await client.purchase(
      req.url,
      { method: req.method, headers: req.headers, ...(req.data !== undefined ? { body: req.data } : {}) },
      { maxPriceMsat, payOnSuccess: req.payOnSuccess, buyer },
    );
    if (r.response) io.body(new Uint8Array(await r.response.arrayBuffer()));
    const { response: _r, ...result } = r;
    const opts = { json: req.json, showToken: req.showToken };
    for (const line of recordLines(result, tokenOf(result, tokens.list()), opts)) io.err(line);
    return r.outcome === 'success' ? 0 : 1;
  } finally {
    await tokens.close();
  }
}

/**
 * Connects to the paying node and waits for it to answer; when it is silent
 * for a second, says on stderr that it keeps retrying (LND's client retries
 * for up to `defaultRetryPolicy.maxWaitMs`, then fails naming the node).
 */
async function reachNode(io: FetchIo, desc: NodeDesc, logger: Logger): Promise<LndNode> {
  const node = await connectNode(desc, { clock: systemClock, logger });
  const waitS = Math.round(defaultRetryPolicy.maxWaitMs / 1000);
  const notice = setTimeout(
    () =>
      io.err(
        `connecting to LND node ${desc.name} at ${desc.restUrl}: no answer yet, retrying for up to ${waitS} s`,
      ),
    NOTICE_AFTER_MS,
  );
  try {
    await node.info();
  } finally {
    clearTimeout(notice);
  }
  return node;
}

/** Runs `l402 fetch`; returns the exit code (0 bought, 1 refused or failed). */
export async function runFetch(req: FetchArgs, io: FetchIo): Promise<number> {
  const logger = createLogger({ name: 'l402-fetch', level: process.env.LOG_LEVEL ?? 'warn' });
  const net = await loadNetwork(req.network);
  const desc = req.node ? nodeByName(net, req.node) : nodesByRole(net, 'buyer')[0];
  if (!desc) throw usageError(`no --node given and no node with role buyer in ${req.network}`);
  const node = await reachNode(io, desc, logger);
  return fetchPaid(io, node, desc.name, req, logger);
}
