import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { allowedHosts, refusal } from '../../sim/live/origin.js';
import type { LiveServer } from '../../sim/live/server.js';
import { startDemo } from './harness.js';

describe('refusal', () => {
  const allowed = allowedHosts('127.0.0.1', 8402);

  test.each([
    ['the page itself', '127.0.0.1:8402', 'http://127.0.0.1:8402'],
    ['localhost', 'localhost:8402', 'http://localhost:8402'],
    ['a client that is not a browser (no Origin)', '127.0.0.1:8402', undefined],
  ])('lets %s through', (_what, host, origin) => {
    expect(refusal(host, origin, allowed)).toBeUndefined();
  });

  test.each([
    [
      'a page of another site',
      '127.0.0.1:8402',
      'http://evil.example',
      'Origin "http://evil.example" is not this server\'s page',
    ],
    [
      'another port on this machine',
      '127.0.0.1:8402',
      'http://127.0.0.1:9000',
      'Origin "http://127.0.0.1:9000" is not this server\'s page',
    ],
    ['a null origin', '127.0.0.1:8402', 'null', 'Origin "null" is not this server\'s page'],
    [
      'a rebound name (Host not this server)',
      'evil.example:8402',
      'http://evil.example:8402',
      'Host "evil.example:8402" is not this server',
    ],
    ['no Host', undefined, undefined, 'Host "" is not this server'],
  ])('refuses %s', (_what, host, origin, why) => {
    expect(refusal(host, origin, allowed)).toBe(why);
  });
});

describe('live server: only its own page reaches it', () => {
  let server: LiveServer;
  let port: number;

  beforeAll(async () => {
    ({ server } = await startDemo({ durationSec: 3600 }, { speed: 1 }));
    port = Number(new URL(server.url).port);
  }, 600_000);
  afterAll(async () => {
    await server?.close();
  });

  /** How the control socket answers an upgrade with `origin`: 'open' or the refusal's status. */
  function upgrade(origin: string): Promise<string | number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { origin });
      ws.once('open', () => (ws.close(), resolve('open')));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
  }

  test('a WebSocket from the page’s own origin opens', async () => {
    expect(await upgrade(server.url)).toBe('open');
  });

  test('a WebSocket from another site’s page is refused with 403 before any control is read', async () => {
    expect(await upgrade('http://evil.example.com')).toBe(403);
  });

  test('an HTTP request naming another host (DNS rebinding) gets 403 JSON, not the snapshot', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { port, host: '127.0.0.1', path: '/api/snapshot', headers: { host: `rebound.example:${port}` } },
        (r) => {
          let body = '';
          r.setEncoding('utf8')
            .on('data', (d: string) => (body += d))
            .on('end', () => resolve({ status: r.statusCode!, body }));
        },
      );
      req.on('error', reject).end();
    });
    expect(res).toEqual({
      status: 403,
      body: JSON.stringify({
        error: 'forbidden',
        message: `Host "rebound.example:${port}" is not this server`,
      }),
    });
  });

  test.each([
    ['POST', '/api/snapshot'],
    ['DELETE', '/'],
    ['PUT', '/app.js'],
  ])('answers %s %s with 405 method_not_allowed and Allow: GET, HEAD', async (method, path) => {
    const res = await fetch(server.url + path, { method });
    expect({ status: res.status, allow: res.headers.get('allow'), body: await res.json() }).toEqual({
      status: 405,
      allow: 'GET, HEAD',
      body: { error: 'method_not_allowed', message: `${method} ${path} is not allowed; use GET, HEAD` },
    });
  });
});
