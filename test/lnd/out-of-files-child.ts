/**
 * Run by connect-limits.test.ts in a child process under `ulimit -n`: uses up
 * every file descriptor, then asks an LND for an invoice, and prints the
 * error's code and message as one JSON line.
 */
import { openSync } from 'node:fs';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { CERT, HASH } from './hostile-lnd.js';

const node = new LndNode({
  connection: { restUrl: 'https://127.0.0.1:1', tlsCert: CERT, macaroon: '0201' },
  retry: { maxWaitMs: 0 },
});
try {
  for (;;) openSync('/dev/null', 'r');
} catch {
  // every descriptor is taken now
}
const err = (await node.lookupInvoice(HASH).catch((e: unknown) => e)) as { code?: string; message?: string };
process.stdout.write(`${JSON.stringify({ code: err.code, message: err.message })}\n`);
process.exit(0);
