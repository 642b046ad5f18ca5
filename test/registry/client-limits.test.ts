import { describe, expect, it } from 'vitest';
import { RegistryClient } from '../../services/registry/client.js';
import { systemClock } from '../../infra/time/clock.js';

const BASE = 'http://registry.test';

function client(
  fetch: (req: Request) => Promise<Response>,
  limits: { timeoutMs?: number; maxResponseBytes?: number; retries?: number },
) {
  return new RegistryClient({ baseUrl: BASE, fetch, clock: systemClock, ...limits });
}

/** A body that sends `first` and then never ends. */
function stalledBody(first: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

describe('RegistryClient limits', () => {
  it('fails a call whose answer never comes as timeout (status 0) and aborts its request', async () => {
    let seen: Request | undefined;
    const c = client(
      (req) => {
        seen = req;
        return new Promise<Response>(() => {});
      },
      { timeoutMs: 30 },
    );
    const r = await c.search({ capability: 'x' });
    expect(r).toEqual({
      ok: false,
      status: 0,
      code: 'timeout',
      message: 'registry did not answer within 30 ms; retry later',
    });
    expect(seen!.signal.aborted).toBe(true);
  });

  it('fails an answer over maxResponseBytes as too_large without reading it all', async () => {
    const body = JSON.stringify({ listings: [], padding: 'x'.repeat(200) });
    const c = client(async () => new Response(body, { status: 200 }), { maxResponseBytes: 100 });
    expect(await c.search()).toEqual({
      ok: false,
      status: 200,
      code: 'too_large',
      message: 'registry answered 200 with a body over the size limit',
    });
  });

  it('fails an answer whose body stalls as too_slow', async () => {
    const c = client(async () => new Response(stalledBody('{"listings":'), { status: 200 }), {
      timeoutMs: 30,
    });
    expect(await c.search()).toEqual({
      ok: false,
      status: 200,
      code: 'too_slow',
      message: 'registry answered 200 but its body did not arrive within the time limit',
    });
  });

  it('reads an answer exactly at maxResponseBytes', async () => {
    const body = JSON.stringify({ listings: [] });
    const headers = { 'content-type': 'application/json' };
    const c = client(async () => new Response(body, { status: 200, headers }), {
      maxResponseBytes: body.length,
    });
    expect(await c.search()).toEqual({ ok: true, listings: [] });
  });

  it('reports a transport error as unreachable (status 0), with retries off', async () => {
    const c = client(async () => Promise.reject(new TypeError('fetch failed')), { retries: 0 });
    expect(await c.get('00'.repeat(16))).toEqual({
      ok: false,
      status: 0,
      code: 'unreachable',
      message: 'registry unreachable: fetch failed',
    });
  });
});
