/**
 * A seller process whose call counter journal cannot grow (run with `node --import tsx`, under a
 * file size limit: `ulimit -f`). A write past the limit fails with EFBIG, as one on a full disk
 * fails with ENOSPC; `fill` appends one line that does nothing on replay (a forget of no token),
 * padded to end exactly at the limit, so the next line the store writes fails.
 *
 *   full-journal.ts paywall <dir>   a 2-call token's calls while the journal is full; prints JSON
 *   full-journal.ts copies <dir>    two first calls of one copy in one failing write; prints JSON
 */
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { formatAuthorization } from '../../../infra/l402/index.js';
import { FileQuotaStore } from '../../../services/paywall/file-quota-store.js';
import { l402Paywall, type L402Variables, type QuotaSubject } from '../../../services/paywall/index.js';
import { challengeOf, json, makeWorld, payInvoice } from '../helpers.js';

const [mode, dir] = process.argv.slice(2);

/** The process's file size limit, bytes (`Max file size` of /proc/self/limits). */
async function sizeLimit(): Promise<number> {
  const line = (await readFile('/proc/self/limits', 'utf8'))
    .split('\n')
    .find((l) => l.startsWith('Max file size'));
  const bytes = Number(line?.split(/\s+/)[3]);
  if (!Number.isSafeInteger(bytes))
    throw new Error(`run me under a file size limit (ulimit -f), got: ${line}`);
  return bytes;
}

/** Pads the journal at `path` with one line that does nothing when replayed, to end at `limit` bytes. */
async function fill(path: string, limit: number): Promise<void> {
  const room = limit - (await stat(path)).size;
  await appendFile(path, `{"t":"fill","x":1${' '.repeat(room - 19)}}\n`);
}

/** Status, `L402-Calls-Remaining`, `Retry-After` and why (a 402's `reason`, else `error`), in one string. */
async function seen(res: Response): Promise<string> {
  const body = await json(res);
  const error = res.status === 200 ? '' : ` ${String(body.reason ?? body.error)}`;
  return `${res.status} left=${res.headers.get('L402-Calls-Remaining')} retry=${res.headers.get('Retry-After')}${error}`;
}

/**
 * A 2-call token: its first call while the journal is full, the retry, then a call whose handler
 * fills the journal and fails (502: the call would go back, but that write fails), then one more.
 * Prints each answer, the handler's runs, the store's log, and the counts the journal holds after.
 */
async function paywall(limit: number): Promise<unknown> {
  const path = join(dir!, 'quotas.jsonl');
  let store = await FileQuotaStore.open(path);
  const logs: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => void logs.push(JSON.parse(l).msg) });
  const w = makeWorld();
  const app = new Hono<{ Variables: L402Variables }>();
  const options = { service: 'weather', price: 5_000, maxCalls: 2, quotaStore: store, logger };
  let runs = 0;
  app.get('/v1/data', l402Paywall({ ...w, node: w.seller, ...options }), async (c) => {
    runs++;
    if (!c.req.query('fill')) return c.json({ ok: true });
    await fill(path, limit);
    return c.json({ error: 'upstream_down' }, 502);
  });
  const { macaroon, invoice } = challengeOf(await app.request('/v1/data'));
  const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
  const call = async (query = '') =>
    seen(await app.request(`/v1/data${query}`, { headers: { authorization } }));
  await fill(path, limit);
  const answers = [await call(), await call(), await call('?fill=1'), await call()];
  await store.close();
  store = await FileQuotaStore.open(path);
  await store.close();
  const counted = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).used);
  return { answers, runs, logs, counted };
}

async function main(): Promise<void> {
  const limit = await sizeLimit();
  const out = mode === 'paywall' ? await paywall(limit) : await copies(limit);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** A 10-call bundle `t` with 3 calls used, and its copy of 2: the copy's first call reserves 2 calls. */
async function copies(limit: number): Promise<unknown> {
  const path = join(dir!, 'copies.jsonl');
  const store = await FileQuotaStore.open(path);
  const quota = (key: string, limit: number) => ({ key, limit });
  const bundle: QuotaSubject = {
    tokenId: 't',
    validUntilMs: 1e12,
    callsSold: 10,
    quotas: [quota('t:b', 10)],
  };
  const copy: QuotaSubject = { ...bundle, quotas: [quota('t:b', 10), quota('t:c', 2)] };
  for (let i = 0; i < 3; i++) await store.consume(bundle, 0);
  await fill(path, limit);
  // Both counted in memory at once (the second on the counter the first made), then both writes fail.
  const both = await Promise.allSettled([store.consume(copy, 0), store.consume(copy, 0)]);
  const failed = both.map((r) =>
    r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException).code : r.value,
  );
  const after = [store.used('t:b'), store.used('t:c')];
  const again = await store.consume(copy, 0);
  const counts = [store.used('t:b'), store.used('t:c')];
  await store.close();
  return { failed, after, again, counts, journal: (await readFile(path, 'utf8')).trim() };
}

await main();
