/**
 * The purchase record `npm run l402 -- fetch` prints (agents/fetch-record.ts). It printed the
 * paid token's preimage and macaroon in its `--json` record: a bearer credential that spends the
 * calls left on the token, ending up in terminal scrollback and CI logs. The record now names the
 * token by its payment hash and the calls left on it, and prints the token only with
 * `--show-token`. The purchase is the CLI's own (`fetchPaid` with its parsed arguments, its token
 * file, fetch over a real socket), from a simnet node paying a real paywall.
 */
import { randomBytes } from 'node:crypto';
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
  app.get(
    '/v1/bundle',
    l402Paywall({ minter, clock: systemClock, node: seller, service: 'bundle', price: 2_000, maxCalls: 3 }),
    (c) => c.json({ data: 'bundle' }),
  );
  server = await listen(app.fetch);
});
afterAll(async () => {
  await server?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** `l402 fetch <bundle url> --tokens <file> …flags` as the CLI runs it: exit code, stdout, stderr lines. */
async function l402Fetch(tokens: string, flags: string[]) {
  const req = l402Args(['fetch', `${server.url}/v1/bundle`, '--tokens', tokens, ...flags]) as FetchArgs;
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
