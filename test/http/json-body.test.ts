import net from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import type { BodyFailure } from '../../services/http/json-body.js';
import { readJsonBody } from '../../services/http/json-body.js';

const schema = z.strictObject({ n: z.number() });
let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A real server whose one route reads a JSON body of at most 200 bytes with a 150 ms deadline; `seen` gets every read's outcome. */
async function serveBodies(
  seen: (r: { ok: true; value: unknown } | BodyFailure) => void,
): Promise<Listening> {
  const app = new Hono();
  app.post('/', async (c) => {
    const body = await readJsonBody(c, schema, { limit: 200, timeoutMs: 150 });
    seen(body);
    return body.ok ? c.json(body.value) : c.json({ error: body.code, message: body.message }, body.status);
  });
  return listen(app.fetch);
}

const HEAD = 'POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';

/** Sends `chunks` over a raw socket, `gapMs` apart; resolves with everything read once the server closes. */
function rawExchange(port: number, chunks: string[], gapMs: number, hangUpAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    let i = 0;
    const send = () => {
      if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++]!);
    };
    const drip = setInterval(send, gapMs);
    socket.on('connect', send);
    socket.on('data', (d) => (out += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(drip);
      resolve(out);
    });
    if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
  });
}

/** Status line and JSON body of a raw HTTP/1.1 answer. */
function parse(raw: string): { status: number; body: unknown } {
  const [head, body] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: JSON.parse(body ?? 'null') };
}

describe('readJsonBody on a real socket', () => {
  it('answers a body that stalls after its first byte by 408 body_timeout naming the limit, then closes', async () => {
    server = await serveBodies(() => {});
    const started = Date.now();
    const raw = await rawExchange(server.port, [HEAD + '{'], 10);
    expect(parse(raw)).toEqual({
      status: 408,
      body: { error: 'body_timeout', message: 'body not received within the 150 ms limit' },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers a body dripped a byte at a time past the deadline by 408 body_timeout', async () => {
    server = await serveBodies(() => {});
    const drip = [HEAD, ...'{"n": 1'.split('')];
    const raw = await rawExchange(server.port, drip, 40);
    expect(parse(raw)).toEqual({
      status: 408,
      body: { error: 'body_timeout', message: 'body not received within the 150 ms limit' },
    });
  });

  it('reports a client that hangs up mid-body as body_aborted (400), not as a thrown error', async () => {
    let outcome: unknown;
    const seen = new Promise<void>((resolve) => {
      void serveBodies((r) => {
        outcome = r;
        resolve();
      }).then((s) => {
        server = s;
        void rawExchange(s.port, [HEAD + '{"n"'], 10, 30);
      });
    });
    await seen;
    expect(outcome).toEqual({
      ok: false,
      status: 400,
      code: 'body_aborted',
      message: 'the client closed the connection mid-body',
    });
  });

  it('reads a body that arrives in pieces within the deadline', async () => {
    server = await serveBodies(() => {});
    const body = '{"n": 12}';
    const head = `POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const raw = await rawExchange(server.port, [head, body.slice(0, 4), body.slice(4)], 20);
    expect(parse(raw)).toEqual({ status: 200, body: { n: 12 } });
  });

  it('answers a body over the limit without a Content-Length by 413 body_too_large', async () => {
    server = await serveBodies(() => {});
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([`{"n": ${'1'.repeat(300)}}`]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body_too_large', message: 'body exceeds the 200-byte limit' });
  });
});
