import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { hostOf, InMemoryHttp } from '../../sim/market/http.js';
import { LightRequest } from '../../sim/market/light-request.js';

/** A world with one service at `a.sim` that echoes what it was asked, and one that never answers. */
function world(): InMemoryHttp {
  const http = new InMemoryHttp();
  const app = new Hono();
  app.all('*', async (c) =>
    c.json({
      url: c.req.url,
      method: c.req.method,
      auth: c.req.header('authorization') ?? null,
      body: await c.req.text(),
    }),
  );
  http.serve('a.sim', (req) => app.fetch(req));
  http.serve('mute.sim', () => new Promise<Response>(() => {}));
  return http;
}

describe('hostOf', () => {
  it.each([
    ['http://a.sim/v1/x?q=1', 'a.sim'],
    ['http://a.sim', 'a.sim'],
    ['http://a.sim?q=1', 'a.sim'],
    ['http://a.sim#frag', 'a.sim'],
    ['https://127.0.0.1:8443/x', '127.0.0.1:8443'],
    ['http://[::1]:9000/x', '[::1]:9000'],
    ['http://user:p%40ss@a.sim:81/x@y', 'a.sim:81'],
    ['data:text/plain,hello', ''],
  ])('reads %s as host %s, as new URL(url).host does', (url, host) => {
    expect(hostOf(url)).toBe(host);
    expect(new URL(url).host).toBe(host);
  });
});

describe('InMemoryHttp.fetch', () => {
  it('hands the service a Request built from a URL and init: url, method, headers and body', async () => {
    const res = await world().fetch(new URL('http://a.sim/v1/x?q=1'), {
      method: 'POST',
      headers: { authorization: 'L402 m:p' },
      body: 'hi',
      signal: new AbortController().signal,
    });

    expect(await res.json()).toEqual({
      url: 'http://a.sim/v1/x?q=1',
      method: 'POST',
      auth: 'L402 m:p',
      body: 'hi',
    });
  });

  it('dispatches a Request sent as is by its host', async () => {
    const res = await world().fetch(new Request('http://a.sim/r', { headers: { authorization: 'x' } }));

    expect(await res.json()).toEqual({ url: 'http://a.sim/r', method: 'GET', auth: 'x', body: '' });
  });

  it('hands a Request sent with a signal alone over as is, itself', async () => {
    const http = new InMemoryHttp();
    const seen: Request[] = [];
    http.serve('c.sim', (req) => (seen.push(req), new Response('ok')));
    const request = new Request('http://c.sim/x');

    await http.fetch(request, { signal: new AbortController().signal });

    expect(seen).toEqual([request]);
    expect(seen[0]).toBe(request);
  });

  it('hands a bodiless request over light: a Request whose every member reads as a real one built from the same arguments', async () => {
    const http = new InMemoryHttp();
    const seen: Request[] = [];
    http.serve('c.sim', (req) => (seen.push(req), new Response('ok')));
    const init = {
      method: 'DELETE',
      headers: { authorization: 'L402 m:p', 'x-a': '1' },
      redirect: 'manual' as const,
    };

    await http.fetch(new URL('http://c.sim/x?q=1'), { ...init, signal: new AbortController().signal });
    const [light] = seen;
    const real = new Request('http://c.sim/x?q=1', init);

    expect(light).toBeInstanceOf(LightRequest);
    expect(light).toBeInstanceOf(Request);
    for (const key of ['url', 'method', 'cache', 'mode', 'redirect', 'body', 'bodyUsed'] as const)
      expect(light![key]).toEqual(real[key]);
    expect([...light!.headers]).toEqual([...real.headers]);
    expect(light!.signal.aborted).toBe(false);
    expect(await light!.text()).toBe('');
    expect([...light!.clone().headers]).toEqual([...real.headers]);
  });

  it.each([
    ['a body', { method: 'POST', body: 'hi' }],
    ['a method a Request normalizes', { method: 'patch' }],
    ['an init field it does not take', { referrerPolicy: 'no-referrer' as const }],
  ])('hands a request with %s over as a real Request', async (_, init) => {
    const http = new InMemoryHttp();
    const seen: Request[] = [];
    http.serve('c.sim', (req) => (seen.push(req), new Response('ok')));

    await http.fetch('http://c.sim/x', init);

    expect(seen[0]).not.toBeInstanceOf(LightRequest);
    expect(seen[0]!.method).toBe(new Request('http://c.sim/x', init).method);
  });

  it('forwards a light request a handler passes on with its own init (as a Request built from it)', async () => {
    const http = new InMemoryHttp();
    const seen: Request[] = [];
    // The second visit (marked x-via) answers; the first forwards its request with new headers.
    http.serve('c.sim', (req) =>
      req.headers.has('x-via')
        ? (seen.push(req), new Response('forwarded'))
        : http.fetch(req, { headers: { 'x-via': 'c' } }),
    );

    const res = await http.fetch('http://c.sim/x', { headers: { authorization: 'L402 m:p' } });

    expect(await res.text()).toBe('forwarded');
    expect(seen[0]!.url).toBe('http://c.sim/x');
    expect([...seen[0]!.headers]).toEqual([['x-via', 'c']]);
  });

  it('fails like fetch (TypeError) for a host nobody serves', async () => {
    await expect(world().fetch('http://b.sim/x')).rejects.toThrow(
      new TypeError('fetch failed: no service at b.sim in the embedded world'),
    );
  });

  it("rejects with the signal's reason when the caller aborts before the service answers", async () => {
    const abort = new AbortController();
    const pending = world().fetch('http://mute.sim/x', { signal: abort.signal });
    abort.abort(new Error('gave up'));

    await expect(pending).rejects.toThrow('gave up');
  });

  it("rejects with the signal's reason when the signal is aborted already", async () => {
    await expect(
      world().fetch('http://a.sim/x', { signal: AbortSignal.abort(new Error('too late')) }),
    ).rejects.toThrow('too late');
  });
});
