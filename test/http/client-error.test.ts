import { connect, createServer, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientError } from '../../services/http/client-error.js';
import { listen, type Listening } from '../../services/http/listen.js';

/**
 * Requests Node's HTTP parser refuses before any handler runs get the same
 * `{ error, message }` JSON as every other refusal, on a real socket.
 */
let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Writes `raw` to the server and reads until it closes the connection. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(raw));
    s.setEncoding('utf8')
      .on('data', (d: string) => (text += d))
      .on('end', () => resolve(text))
      .on('error', reject);
  });
}

/** The status line and JSON body of a raw answer. */
function parsed(raw: string): { statusLine: string; body: unknown } {
  const [head, body] = raw.split('\r\n\r\n') as [string, string];
  return { statusLine: head.split('\r\n')[0]!, body: JSON.parse(body) as unknown };
}

async function okServer(): Promise<Listening> {
  server = await listen(new Hono().get('/', (c) => c.json({ ok: true })).fetch);
  return server;
}

describe('a request Node refuses to read', () => {
  it('headers over 16 KiB get 431 headers_too_large as JSON, and the server keeps serving', async () => {
    const s = await okServer();
    const raw = `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: L402 ${'A'.repeat(20_000)}:${'0'.repeat(64)}\r\n\r\n`;
    expect(parsed(await exchange(s.port, raw))).toEqual({
      statusLine: 'HTTP/1.1 431 Request Header Fields Too Large',
      body: {
        error: 'headers_too_large',
        message: 'the request headers are over 16 KiB; send fewer or shorter headers',
      },
    });
    expect(await (await fetch(s.url)).json()).toEqual({ ok: true });
  });

  it('a request line that is not HTTP gets 400 bad_request naming the parser error', async () => {
    const s = await okServer();
    expect(parsed(await exchange(s.port, 'HELLO THERE\r\n\r\n'))).toEqual({
      statusLine: 'HTTP/1.1 400 Bad Request',
      body: { error: 'bad_request', message: 'the request is not valid HTTP/1.1 (HPE_INVALID_METHOD)' },
    });
  });

  it('a request timeout gets 408 request_timeout naming both limits', async () => {
    // Node raises this code after its 15 s / 30 s limits; the answer is written to the socket the same way.
    const side = createServer();
    const accepted = new Promise<Socket>((resolve) => side.once('connection', resolve));
    await new Promise<void>((resolve) => side.listen(0, '127.0.0.1', resolve));
    const port = (side.address() as { port: number }).port;
    const answer = exchange(port, '');
    answerClientError(
      Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      await accepted,
    );
    expect(parsed(await answer)).toEqual({
      statusLine: 'HTTP/1.1 408 Request Timeout',
      body: {
        error: 'request_timeout',
        message: 'the request did not arrive in time (headers within 15 s, the whole request within 30 s)',
      },
    });
    side.close();
  });
});
