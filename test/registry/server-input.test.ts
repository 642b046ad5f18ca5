import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { RegistryServer } from '../../services/registry/index.js';
import { RegistryClient, startRegistryServer } from '../../services/registry/index.js';
import { listing, signer } from './listing-fixture.js';
import { publicLookup } from './lookup-fixture.js';

let server: RegistryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A registry on a real loopback port with a 100 ms body deadline; `logs` collects its log lines. */
async function start(): Promise<{ server: RegistryServer; logs: { level: number; msg: string }[] }> {
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  server = await startRegistryServer({
    clock: new VirtualClock(),
    network: 'regtest',
    probeIntervalMs: 0,
    bodyTimeoutMs: 100,
    logger,
    lookup: publicLookup,
  });
  return { server, logs };
}

/** Writes `data` on a raw socket, hangs up after `hangUpAfterMs` if given; resolves with what was read. */
function raw(port: number, data: string, hangUpAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(out));
    if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
  });
}

const POST_HEAD =
  'POST /listings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/listings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const UNSAFE = 'control, bidi and line-separator characters are not allowed';

describe('registry server input handling', () => {
  it('answers a body that stalls after one byte by 408 body_timeout and closes the connection', async () => {
    const { server } = await start();
    const answer = await raw(server.port, POST_HEAD + '{');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(body!)).toEqual({
      error: 'body_timeout',
      message: 'body not received within the 100 ms limit',
    });
  });

  it('logs a client that hangs up mid-body at debug, with no error-level entry', async () => {
    const { server, logs } = await start();
    await raw(server.port, POST_HEAD + '{"listing"', 20);
    for (let i = 0; i < 100 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(logs.map((l) => [l.level, l.msg])).toEqual([[20, 'request body aborted']]);
  });

  it.each([
    [
      'an RTL override, NUL and newline in the name',
      { name: 'x\u202e\u0000\nevil' },
      'listing.name',
      'U+202E at index 1',
    ],
    ['a newline in the name', { name: 'a\nb' }, 'listing.name', 'U+000A at index 1'],
    [
      'a bidi isolate in the description',
      { description: 'ok \u2066x' },
      'listing.description',
      'U+2066 at index 3',
    ],
    [
      'a C1 control in a tier name',
      { tiers: [{ ...listing.tiers[0]!, name: 'one\u0085' }] },
      'listing.tiers[0].name',
      'U+0085 at index 3',
    ],
    ['a line separator in the name', { name: 'a\u2028b' }, 'listing.name', 'U+2028 at index 1'],
    ['a lone surrogate in the name', { name: 'a\ud800' }, 'listing.name', 'U+D800 at index 1'],
  ])(
    'refuses a listing with %s by 400 invalid_body naming the field',
    async (_what, change, field, where) => {
      const { server } = await start();
      const res = await post(server.url, {
        listing: { ...listing, ...change },
        signedAt: 1,
        signature: 'a'.repeat(128),
      });
      expect(res).toEqual({
        status: 400,
        body: { error: 'invalid_body', message: `${field}: contains ${where}; ${UNSAFE}` },
      });
    },
  );

  it.each([
    ['credentials', 'http://user:pw@127.0.0.1:1/path?q', 'must not carry credentials (user:password@)'],
    ['a user name only', 'http://user@quotes.test/', 'must not carry credentials (user:password@)'],
    ['a fragment', 'http://127.0.0.1:1/path?q#frag', 'must not have a fragment (#...)'],
    ['an empty fragment', 'http://quotes.test/q#', 'must not have a fragment (#...)'],
    ['a tab', 'http://quotes.test/\tq', `contains U+0009 at index 19; ${UNSAFE}`],
    ['a space', 'http://quotes.test/ q', 'must not contain whitespace'],
    ['an ftp scheme', 'ftp://quotes.test/q', 'must be an absolute http(s) URL'],
  ])('refuses a listing URL with %s by 400 invalid_body naming listing.url', async (_what, url, why) => {
    const { server } = await start();
    const res = await post(server.url, {
      listing: { ...listing, url },
      signedAt: 1,
      signature: 'a'.repeat(128),
    });
    expect(res).toEqual({ status: 400, body: { error: 'invalid_body', message: `listing.url: ${why}` } });
  });

  it('accepts non-ASCII listing text that has no control or bidi characters', async () => {
    const { server } = await start();
    const client = new RegistryClient({
      baseUrl: server.url,
      fetch: (r) => fetch(r),
      clock: new VirtualClock(),
    });
    const text = { name: 'Café — 東京 quotes 📈', description: 'مرحبا, prices «live»' };
    const r = await client.register({ ...listing, ...text }, signer);
    expect(r).toMatchObject({ ok: true, listing: text });
  });

  it('answers a malformed listing id by 400 invalid_id', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/listings/zz`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_id',
      message: 'listing id must be 32 lowercase hex chars, got "zz"',
    });
  });

  it.each([
    ['PATCH', `/listings/${'0'.repeat(32)}`, 'GET, HEAD, PUT, DELETE'],
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/listings', 'GET, HEAD, POST'],
    ['GET', `/listings/${'0'.repeat(32)}/ratings`, 'POST'],
  ])('answers %s %s by 405 method_not_allowed with Allow: %s', async (method, path, allow) => {
    const { server } = await start();
    const res = await fetch(`${server.url}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await res.json()).toEqual({
      error: 'method_not_allowed',
      message: `${method} ${path} is not allowed; use ${allow}`,
    });
  });
});
