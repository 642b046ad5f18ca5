/**
 * The purchase record `npm run l402 -- fetch` prints (agents/fetch-record.ts). It printed the
 * paid token's preimage and macaroon in its `--json` record: a bearer credential that spends the
 * calls left on the token, ending up in terminal scrollback and CI logs. The record now names the
 * token by its payment hash and the calls left on it, and prints the token only with
 * `--show-token`. The purchase is the CLI's own (`fetchPaid` with its parsed arguments, its token
 * file, fetch over a real socket), from a simnet node paying a real paywall.
 *
 * The record also carries what the seller wrote (a refusal's reason). It was printed as is: a seller
 * that took 2,000 msat and refused the paid call with a reason of terminal escapes (`\r`, erase line)
 * made the line read `success: paid 0 msat + fee 0 msat`. Its unsafe characters are now printed as
 * `\u001b`-style escapes, in the plain line and in the JSON values. A connection refused printed only
 * undici's `fetch failed`; it now names the cause.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { l402Args, type FetchArgs } from '../../agents/cli-args.js';
import { fetchPaid } from '../../agents/cli-fetch.js';
import { FileTokenStore, type StoredToken } from '../../agents/l402/index.js';
import { createMinter, formatAuthorization, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { SimNetwork, zeroLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { silentLogger } from '../../infra/log.js';
import { createRng } from '../../infra/random.js';
import { UNSAFE_CHAR } from '../../infra/terminal-text.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';

let server: Listening;
let buyer: SimNode;
let sellerPubkey: string;
const dirs: string[] = [];

beforeAll(async () => {
  const net = new SimNetwork({ clock: systemClock, rng: createRng(1), latency: zeroLatency() });
  buyer = net.addNode({ alias: 'buyer' });
  const seller = net.addNode({ alias: 'seller' });
  net.openChannel(buyer, seller, { capacityMsat: 10_000_000, baseFeeMsat: 0, feeRatePpm: 0 });
  sellerPubkey = (await seller.info()).pubkey;
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) });
  const app = new Hono();
  const paywall = l402Paywall({
    minter,
    clock: systemClock,
    node: seller,
    service: 'bundle',
    price: 2_000,
    maxCalls: 3,
  });
  app.get('/v1/bundle', paywall, (c) => c.json({ data: 'bundle' }));
  // Takes the payment, then refuses the paid call with the reason the request names.
  app.get('/v1/hostile/:which', paywall, (c) =>
    c.json({ error: 'payment_required', reason: HOSTILE[c.req.param('which') as keyof typeof HOSTILE] }, 402),
  );
  server = await listen(app.fetch);
});
afterAll(async () => {
  await server?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Reasons a seller writes to rewrite the buyer's terminal. */
const HOSTILE = {
  // Return to the line's start, erase it, set the window title, pose as a success, hide what follows.
  escapes: '\r\u001b[2K\u001b]0;hi\u0007success: paid 0 msat + fee 0 msat, 3 ms\u001b[8m',
  // DEL, an 8-bit CSI (C1), a right-to-left override, a line separator: all pass JSON.stringify unescaped.
  unescapedByJson: 'a\u007fb\u009b2Kc\u202ed\u2028e',
};

/** `l402 fetch <url, default the bundle's> --tokens <file> …flags` as the CLI runs it: exit code, stdout, stderr lines. */
async function l402Fetch(tokens: string, flags: string[], url = `${server.url}/v1/bundle`) {
  const req = l402Args(['fetch', url, '--tokens', tokens, ...flags]) as FetchArgs;
  let out = '';
  const err: string[] = [];
  const io = { body: (b: Uint8Array) => (out += Buffer.from(b).toString()), err: (l: string) => err.push(l) };
  const code = await fetchPaid(io, buyer, 'buyer', req, silentLogger);
  return { code, out, err };
}

/** A token file in a new directory of its own. */
async function tokenFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-record-'));
  dirs.push(dir);
  return join(dir, 'tokens.json');
}

/** The tokens the file holds once the CLI closed it. */
async function held(path: string): Promise<StoredToken[]> {
  const store = await FileTokenStore.open(path);
  const tokens = store.list();
  await store.close();
  return tokens;
}

const RECORD_KEYS = [
  'callsLeft',
  'feeMsat',
  'hops',
  'outcome',
  'paidMsat',
  'payee',
  'paymentHash',
  'quotedMsat',
  'requests',
  'status',
  'timings',
  'tokenReused',
];

describe('l402 fetch --json', () => {
  it('names the paid token by payment hash, calls left and price; its preimage and macaroon appear nowhere in the output, bought or reused', async () => {
    const tokens = await tokenFile();
    const first = await l402Fetch(tokens, ['--json']);
    const [token] = await held(tokens);
    const second = await l402Fetch(tokens, ['--json']);
    const records = [first, second].map((r) => JSON.parse(r.err.at(-1)!) as Record<string, unknown>);
    expect([first.code, first.out, second.code, second.out]).toEqual([
      0,
      '{"data":"bundle"}',
      0,
      '{"data":"bundle"}',
    ]);
    expect(Object.keys(records[0]!).sort()).toEqual(RECORD_KEYS);
    expect(records.map(({ timings: _t, ...r }) => r)).toEqual([
      {
        outcome: 'success',
        quotedMsat: 2_000,
        paidMsat: 2_000,
        feeMsat: 0,
        hops: 1,
        requests: 2,
        tokenReused: false,
        paymentHash: token!.paymentHash,
        payee: sellerPubkey,
        status: 200,
        callsLeft: 2,
      },
      {
        outcome: 'success',
        paidMsat: 0,
        feeMsat: 0,
        hops: 0,
        requests: 1,
        tokenReused: true,
        paymentHash: token!.paymentHash,
        status: 200,
        callsLeft: 1,
      },
    ]);
    const printed = [first, second].flatMap((r) => [r.out, ...r.err]).join('\n');
    expect([printed.includes(token!.preimage!), printed.includes(token!.macaroon)]).toEqual([false, false]);
  });

  it('with --show-token adds the preimage and macaroon the token file holds', async () => {
    const tokens = await tokenFile();
    const r = await l402Fetch(tokens, ['--json', '--show-token']);
    const [token] = await held(tokens);
    const record = JSON.parse(r.err.at(-1)!) as Record<string, unknown>;
    expect([record.preimage, record.macaroon, record.callsLeft]).toEqual([
      token!.preimage,
      token!.macaroon,
      2,
    ]);
  });
});

describe('l402 fetch without --json', () => {
  it('prints one line naming the token by payment hash and calls left; with --show-token also the Authorization header, which the seller accepts for a call', async () => {
    const tokens = await tokenFile();
    const plain = await l402Fetch(tokens, []);
    const [token] = await held(tokens);
    const ms = /, (\d+) ms;/.exec(plain.err[0]!)?.[1];
    expect(plain.err).toEqual([
      `success: paid 2000 msat + fee 0 msat, ${ms} ms; token ${token!.paymentHash}, 2 calls left`,
    ]);
    const shown = await l402Fetch(tokens, ['--show-token']);
    const reusedMs = /, (\d+) ms;/.exec(shown.err[0]!)?.[1];
    const authorization = formatAuthorization({ macaroon: token!.macaroon, preimage: token!.preimage! });
    expect(shown.err).toEqual([
      `success: paid 0 msat + fee 0 msat, token reused, ${reusedMs} ms; token ${token!.paymentHash}, 1 call left`,
      `Authorization: ${authorization}`,
    ]);
    const res = await fetch(`${server.url}/v1/bundle`, { headers: { Authorization: authorization } });
    expect([res.status, await res.json()]).toEqual([200, { data: 'bundle' }]);
  });
});

describe('l402 fetch prints what the seller wrote as text, never as terminal controls', () => {
  it('a paid call refused with a reason of terminal escapes prints them as \\u escapes, and the real 2000 msat stay on the line', async () => {
    const r = await l402Fetch(await tokenFile(), [], `${server.url}/v1/hostile/escapes`);
    const ms = /, (\d+) ms$/.exec(r.err[0]!)?.[1];
    expect([r.code, r.err]).toEqual([
      1,
      [
        'token_rejected (\\u000d\\u001b[2K\\u001b]0;hi\\u0007success: paid 0 msat + fee 0 msat, 3 ms\\u001b[8m): ' +
          `paid 2000 msat + fee 0 msat, ${ms} ms`,
      ],
    ]);
  });

  it('--json holds the reason with DEL, C1, bidi and line-separator characters as \\u escapes in its value (a `jq -r` prints them as text)', async () => {
    const r = await l402Fetch(await tokenFile(), ['--json'], `${server.url}/v1/hostile/unescapedByJson`);
    const record = JSON.parse(r.err[0]!) as Record<string, unknown>;
    expect([r.code, r.err.length, record.outcome, record.paidMsat, record.reason]).toEqual([
      1,
      1,
      'token_rejected',
      2_000,
      'a\\u007fb\\u009b2Kc\\u202ed\\u2028e',
    ]);
    expect(UNSAFE_CHAR.exec(r.err[0]!)).toBeNull();
  });

  it('a connection refused names its cause: fetch failed: connect ECONNREFUSED <address>', async () => {
    const port = await closedPort();
    const r = await l402Fetch(await tokenFile(), [], `http://127.0.0.1:${port}/v1/bundle`);
    const ms = /, (\d+) ms$/.exec(r.err[0]!)?.[1];
    expect([r.code, r.err]).toEqual([
      1,
      [
        `seller_error (request failed: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}): ` +
          `paid 0 msat + fee 0 msat, ${ms} ms`,
      ],
    ]);
  });
});

/** A local TCP port nothing listens on: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as { port: number };
  await new Promise((done) => s.close(done));
  return port;
}

describe('l402 fetch --show-token writes the Authorization header in the token’s scheme', () => {
  it('a token paid through an LSAT challenge is shown as "Authorization: LSAT <mac>:<preimage>"', async () => {
    const { recordLines } = await import('../../agents/fetch-record.js');
    const result = {
      outcome: 'success' as const,
      paidMsat: 2000,
      feeMsat: 0,
      tokenReused: false,
      macaroon: 'AgEEbHNhdAI',
      preimage: 'ab'.repeat(32),
      paymentHash: 'cd'.repeat(32),
      timings: { startedAt: 0, endedAt: 5 },
    };
    const token = { scheme: 'LSAT', paymentHash: 'cd'.repeat(32) } as StoredToken;
    const lines = recordLines(result as never, token, { json: false, showToken: true });
    expect(lines).toEqual([
      `success: paid 2000 msat + fee 0 msat, 5 ms; token ${'cd'.repeat(32)}`,
      `Authorization: LSAT AgEEbHNhdAI:${'ab'.repeat(32)}`,
    ]);
  });
});
