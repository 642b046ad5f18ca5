/**
 * A registry call's time limit runs on the client's clock. The simulator's
 * registry answers on the market's virtual clock, so its calls must time out
 * on that clock too: before, each call raced a wall-clock timer (and read
 * Date.now()), so a handler that waited on market time was never timed out by
 * it, and one that took wall time (a slow or paused machine) could be. On
 * sockets the client is given `systemClock`, whose sleep is a real timer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../services/registry/client.js';
import { systemClock } from '../../infra/time/clock.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

const BASE = 'http://registry.test';
const EMPTY = JSON.stringify({ listings: [] });
const JSON_ANSWER = { headers: { 'content-type': 'application/json' } };

/** The search's result and the clock time at which it came. */
async function searchOn(clock: VirtualClock, fetch: (req: Request) => Promise<Response>) {
  const client = new RegistryClient({ baseUrl: BASE, fetch, clock, timeoutMs: 10_000 });
  let atMs: number | undefined;
  const result = client.search({ capability: 'x' }).then((r) => {
    atMs = clock.now();
    return r;
  });
  await clock.runUntilIdle();
  return { result: await result, atMs };
}

/** A wait of wall time that moves no virtual time: what a slow or paused machine adds. */
const wallWait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('registry client time limits on its clock', () => {
  it('a registry answering after 20 s of virtual time fails as timeout at 10 s of it, and the request is aborted', async () => {
    const clock = new VirtualClock(0);
    let seen: Request | undefined;
    const { result, atMs } = await searchOn(clock, async (req) => {
      seen = req;
      await clock.sleep(20_000);
      return new Response(EMPTY, JSON_ANSWER);
    });
    expect(result).toEqual({
      ok: false,
      status: 0,
      code: 'timeout',
      message: 'registry did not answer within 10000 ms; retry later',
    });
    expect(atMs).toBe(10_000);
    expect(seen!.signal.aborted).toBe(true);
  });

  it('a body arriving 20 s of virtual time after the answer fails as too_slow at 10 s of it', async () => {
    const clock = new VirtualClock(0);
    const late = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await clock.sleep(20_000);
        controller.enqueue(new TextEncoder().encode(EMPTY));
        controller.close();
      },
    });
    const { result, atMs } = await searchOn(clock, async () => new Response(late));
    expect(result).toEqual({
      ok: false,
      status: 200,
      code: 'too_slow',
      message: 'registry answered 200 but its body did not arrive within the time limit',
    });
    expect(atMs).toBe(10_000);
  });

  it('an answer that takes 300 ms of wall time but no virtual time is read, with a 100 ms limit', async () => {
    const clock = new VirtualClock(0);
    const client = new RegistryClient({
      baseUrl: BASE,
      clock,
      timeoutMs: 100,
      fetch: async () => {
        await wallWait(300);
        return new Response(EMPTY, JSON_ANSWER);
      },
    });
    expect(await client.search({ capability: 'x' })).toEqual({ ok: true, listings: [] });
    expect(clock.now()).toBe(0);
    // The call's time limit was cancelled once it answered: nothing is left waiting on the clock.
    expect(clock.pending).toBe(0);
  });

  it('a body that takes 300 ms of wall time but no virtual time is read, with a 100 ms limit', async () => {
    const clock = new VirtualClock(0);
    const slowBody = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await wallWait(300);
        controller.enqueue(new TextEncoder().encode(EMPTY));
        controller.close();
      },
    });
    const client = new RegistryClient({
      baseUrl: BASE,
      clock,
      timeoutMs: 100,
      fetch: async () => new Response(slowBody, JSON_ANSWER),
    });
    expect(await client.search({ capability: 'x' })).toEqual({ ok: true, listings: [] });
  });
});

describe('registry client time limits on sockets (systemClock)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('a registry that accepts the connection and never answers fails as timeout (its 200 ms limit is a real timer)', async () => {
    server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new RegistryClient({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: (req) => fetch(req),
      clock: systemClock,
      timeoutMs: 200,
    });
    expect(await client.search({ capability: 'x' })).toEqual({
      ok: false,
      status: 0,
      code: 'timeout',
      message: 'registry did not answer within 200 ms; retry later',
    });
  });
});
