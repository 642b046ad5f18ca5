/**
 * RegistryClient sends a request again after a failure that may pass: a read
 * (search, get) after no answer, a 502/503/504 or an answer cut short; a
 * write only after the registry's own 503 `store_unavailable`, which changed
 * nothing. Retries wait on the client's clock (250 ms doubling, or the
 * registry's Retry-After up to 5 s), and all attempts share the call's one
 * time limit. A 4xx is final.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  MemoryRegistryStore,
  Registry,
  RegistryClient,
  createRegistryApp,
  listingId,
  type RegistryClientOptions,
  type RegistryStore,
} from '../../services/registry/index.js';
import { listingOf } from '../security/registry-helpers.js';
import { KEYS } from './journal-helpers.js';

const BASE = 'http://registry.test';
const EMPTY = { listings: [] };
const URL_1 = 'http://shop.test/v1/data';

type Answer = (req: Request) => Response | Promise<Response>;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    Response.json(body, { status, headers });
const ok = json(200, EMPTY);
const unavailable = (retryAfter?: string) =>
  json(
    503,
    { error: 'store_unavailable', message: 'the registry could not save the change; retry' },
    retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
  );
const refused: Answer = () => Promise.reject(new TypeError('fetch failed'));
const gateway = (status: number) => () => new Response('<html>bad gateway</html>', { status });
/** A 200 whose body breaks off after its first bytes (the connection was reset mid-answer). */
const cutShort: Answer = () =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"listings":'));
        c.error(new Error('socket hang up'));
      },
    }),
  );

/** A fetch answering its requests with `answers` in turn (the last one from then on), noting when each came. */
function scripted(clock: VirtualClock, answers: Answer[]) {
  const seen: { atMs: number; method: string; body: string; signal: AbortSignal }[] = [];
  const fetch = async (req: Request) => {
    const body = await req.clone().text();
    seen.push({ atMs: clock.now(), method: req.method, body, signal: req.signal });
    return answers[Math.min(seen.length, answers.length) - 1]!(req);
  };
  return { seen, fetch };
}

/** Runs `call` to its end on `clock`: its result and the clock time it came at. */
async function run<T>(clock: VirtualClock, call: Promise<T>) {
  let atMs: number | undefined;
  const done = call.then((r) => ((atMs = clock.now()), r));
  await clock.runUntilIdle();
  return { result: await done, atMs };
}

function clientOn(clock: VirtualClock, answers: Answer[], options: Partial<RegistryClientOptions> = {}) {
  const s = scripted(clock, answers);
  return { ...s, client: new RegistryClient({ baseUrl: BASE, fetch: s.fetch, clock, ...options }) };
}

describe('a read is sent again after a failure that may pass', () => {
  it('a search answered 503 with Retry-After: 1 is sent again 1 s later and returns its listings', async () => {
    const clock = new VirtualClock(0);
    const { client, seen } = clientOn(clock, [unavailable('1'), ok]);
    const { result, atMs } = await run(clock, client.search({ capability: 'x' }));
    expect(result).toEqual({ ok: true, listings: [] });
    expect(seen.map((s) => s.atMs)).toEqual([0, 1_000]);
    expect(atMs).toBe(1_000);
    expect(clock.pending).toBe(0);
  });

  it.each<[string, Answer]>([
    ['a refused or reset connection', refused],
    ['a 502 from a gateway', gateway(502)],
    ['a 504 from a gateway', gateway(504)],
    ['an answer cut short', cutShort],
  ])('a get that meets %s is sent again 250 ms later and returns the listing', async (_what, first) => {
    const clock = new VirtualClock(0);
    const listing = {
      ...listingOf(KEYS.seller, URL_1),
      id: listingId(KEYS.seller.pubkey, URL_1),
      createdAt: 0,
      updatedAt: 0,
      signedAt: 0,
    };
    const { client, seen } = clientOn(clock, [first, json(200, { listing })]);
    const { result } = await run(clock, client.get(listing.id));
    expect(result).toEqual({ ok: true, listing });
    expect(seen.map((s) => s.atMs)).toEqual([0, 250]);
  });

  it('a registry failing every time is asked after 250, 500 and 1,000 ms and the call fails at 1,750 ms, before its 2 s limit, saying how many attempts it made', async () => {
    const clock = new VirtualClock(0);
    const { client, seen } = clientOn(clock, [gateway(503)], { retries: 5, timeoutMs: 2_000 });
    const { result, atMs } = await run(clock, client.search());
    expect(result).toEqual({
      ok: false,
      status: 503,
      code: 'bad_response',
      message: 'registry answered 503 without JSON (after 4 attempts)',
    });
    expect(seen.map((s) => s.atMs)).toEqual([0, 250, 750, 1_750]);
    expect(atMs).toBe(1_750);
  });

  it('attempts that each take 600 ms share the 2 s limit: the third is cut off at 2 s as timeout and aborted', async () => {
    const clock = new VirtualClock(0);
    const slow503: Answer = async () => {
      await clock.sleep(600);
      return unavailable()();
    };
    const { client, seen } = clientOn(clock, [slow503], { retries: 5, timeoutMs: 2_000 });
    const { result, atMs } = await run(clock, client.search());
    expect(result).toEqual({
      ok: false,
      status: 0,
      code: 'timeout',
      message: 'registry did not answer within 2000 ms; retry later (after 3 attempts)',
    });
    expect(seen.map((s) => s.atMs)).toEqual([0, 850, 1_950]);
    expect(atMs).toBe(2_000);
    expect(seen[2]!.signal.aborted).toBe(true);
  });

  it('a Retry-After of 5 s is waited for, one of 60 s is not: that 503 is the answer at once', async () => {
    const clock = new VirtualClock(0);
    const five = clientOn(clock, [unavailable('5'), ok]);
    expect((await run(clock, five.client.search())).result).toEqual({ ok: true, listings: [] });
    expect(five.seen.map((s) => s.atMs)).toEqual([0, 5_000]);

    const sixty = clientOn(clock, [unavailable('60'), ok]);
    const { result } = await run(clock, sixty.client.search());
    expect(result).toMatchObject({ ok: false, status: 503, code: 'store_unavailable' });
    expect(sixty.seen.length).toBe(1);
  });

  it('a 4xx is final (sent once), where a 503 before the same answer is sent again', async () => {
    const clock = new VirtualClock(0);
    const refusal = json(400, { error: 'invalid_query', message: 'tier: expected single' });
    const final = clientOn(clock, [refusal, ok]);
    expect((await run(clock, final.client.search())).result).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_query',
      message: 'tier: expected single',
    });
    expect(final.seen.length).toBe(1);

    const retried = clientOn(clock, [unavailable(), refusal]);
    expect((await run(clock, retried.client.search())).result).toMatchObject({ code: 'invalid_query' });
    expect(retried.seen.length).toBe(2);
  });

  it('a search is sent 3 times by default, once with retries: 0 on the client or on the call', async () => {
    const clock = new VirtualClock(0);
    const byDefault = clientOn(clock, [refused]);
    await run(clock, byDefault.client.search());
    expect(byDefault.seen.length).toBe(3);

    const off = clientOn(clock, [refused], { retries: 0 });
    expect((await run(clock, off.client.search())).result).toEqual({
      ok: false,
      status: 0,
      code: 'unreachable',
      message: 'registry unreachable: fetch failed',
    });
    expect(off.seen.length).toBe(1);

    const offForOneCall = clientOn(clock, [refused]);
    await run(clock, offForOneCall.client.search({}, { retries: 0 }));
    expect(offForOneCall.seen.length).toBe(1);
  });

  it.each([-1, 1.5, Number.NaN])('refuses retries: %s', (retries) => {
    expect(
      () => new RegistryClient({ baseUrl: BASE, fetch: (r) => fetch(r), clock: systemClock, retries }),
    ).toThrow(`retries must be a whole number of at least 0, got ${retries}`);
  });
});

describe('a write is sent again only when the registry says it changed nothing', () => {
  /** A real registry whose store fails the first `failures` writes (answered 503 store_unavailable, Retry-After: 1). */
  async function registryFailing(clock: VirtualClock, failures: number) {
    const memory = new MemoryRegistryStore();
    let left = failures;
    const store: RegistryStore = {
      load: () => memory.load(),
      append: async (entries) => {
        if (left-- > 0) throw new Error('disk full');
        return memory.append(entries);
      },
      compactionDue: () => memory.compactionDue(),
      compact: (state) => memory.compact(state),
    };
    const registry = await Registry.open({ clock, network: 'regtest', store });
    return { registry, app: createRegistryApp(registry) };
  }

  it('a registration the store failed to save is sent again 1 s later, the same signed body, and is listed', async () => {
    const clock = new VirtualClock(0);
    const { registry, app } = await registryFailing(clock, 1);
    const { client, seen } = clientOn(clock, [(req) => app.fetch(req)]);
    const { result, atMs } = await run(
      clock,
      client.register(listingOf(KEYS.seller, URL_1), KEYS.seller.signer),
    );
    const id = listingId(KEYS.seller.pubkey, URL_1);
    expect(result).toMatchObject({ ok: true, listing: { id } });
    expect(seen.map((s) => [s.method, s.atMs])).toEqual([
      ['POST', 0],
      ['POST', 1_000],
    ]);
    expect(seen[1]!.body).toBe(seen[0]!.body);
    expect(atMs).toBe(1_000);
    expect(registry.all().map((l) => l.id)).toEqual([id]);
  });

  it.each<[string, Answer]>([
    ['a 502 from a gateway', gateway(502)],
    ["a 503 from a gateway (not the registry's store_unavailable)", gateway(503)],
    ['a connection reset before the answer', refused],
  ])(
    'a registration the registry took but whose answer was lost to %s is not sent again (a repeat would be refused already_listed); a search lost the same way is',
    async (_what, lost) => {
      const clock = new VirtualClock(0);
      const { registry, app } = await registryFailing(clock, 0);
      // The first request of each call reaches the registry, and its answer is lost on the way back.
      const first = async (req: Request) => {
        await app.fetch(req);
        return lost(req);
      };
      const write = clientOn(clock, [first, (req) => app.fetch(req)]);
      const register = write.client.register(listingOf(KEYS.seller, URL_1), KEYS.seller.signer);
      const { result } = await run(clock, register);
      expect(result).toMatchObject({ ok: false });
      expect(write.seen.length).toBe(1);
      expect(registry.size).toBe(1);

      const read = clientOn(clock, [first, (req) => app.fetch(req)]);
      const { result: found } = await run(clock, read.client.search());
      expect(found).toMatchObject({ ok: true, listings: [{ id: listingId(KEYS.seller.pubkey, URL_1) }] });
      expect(read.seen.length).toBe(2);
    },
  );
});

describe('retries on a real socket (systemClock)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('a registry that resets the connection of the first search is asked again and its answer returned', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      if (++requests === 1) return res.socket?.destroy();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(EMPTY));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new RegistryClient({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: (req) => fetch(req),
      clock: systemClock,
    });
    expect(await client.search({ capability: 'x' })).toEqual({ ok: true, listings: [] });
    expect(requests).toBe(2);
  });
});
