/**
 * `listen(...).close()` stops a server without dropping the requests it is
 * answering: they finish and are answered (up to the grace period), idle
 * keep-alive connections close at once.
 */
import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../services/http/listen.js';

let server: Listening | undefined;
const held: (() => void)[] = [];
afterEach(async () => {
  for (const release of held.splice(0)) release();
  await server?.close();
  server = undefined;
});

/** A promise and the function that resolves it (released after each test, whatever happened). */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  held.push(open);
  return { opened, open };
}

/** A server whose `/held/:n` answers `done n` once `gates[n]` opens, and whose `/` answers at once. */
async function serverHolding(gates: { opened: Promise<void> }[], graceMs?: number): Promise<Listening> {
  const app = new Hono()
    .get('/', (c) => c.text('at once'))
    .get('/held/:n', async (c) => {
      await gates[Number(c.req.param('n'))]!.opened;
      return c.text(`done ${c.req.param('n')}`);
    });
  server = await listen(app.fetch, graceMs === undefined ? {} : { graceMs });
  return server;
}

/** Resolves when `server` has `n` requests in flight. */
async function inFlight(s: Listening, n: number): Promise<void> {
  while (s.inFlight() !== n) await new Promise((r) => setTimeout(r, 2));
}

/** GET `path` with fetch: `status connection-header body`, or `failed` when the connection was cut. */
const get = (s: Listening, path: string): Promise<string> =>
  fetch(s.url + path).then(
    async (r) => `${r.status} ${r.headers.get('connection')} ${await r.text()}`,
    () => 'failed',
  );

/** A raw connection: everything it received, once the server closed it. */
function rawConnection(port: number): { socket: Socket; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => undefined);
  return { socket, received };
}

const bodyOf = (raw: string) => raw.split('\r\n\r\n')[1];

describe('listen(...).close()', () => {
  it('answers the request in flight (with Connection: close) and resolves once it is answered; an idle keep-alive connection is closed at once', async () => {
    const g = gate();
    const s = await serverHolding([g]);
    const idle = rawConnection(s.port);
    idle.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => idle.socket.once('data', () => resolve()));
    const answer = get(s, '/held/0');
    await inFlight(s, 1);

    let closed = false;
    const closing = s.close().then(() => (closed = true));
    expect(bodyOf(await idle.received)).toBe('at once');
    expect([closed, s.inFlight()]).toEqual([false, 1]);
    g.open();
    expect(await answer).toBe('200 close done 0');
    await closing;
    expect(await get(s, '/')).toBe('failed');
  });

  it('cuts a request still running when the grace period ends, after answering the one that finished within it', async () => {
    const [quick, stuck] = [gate(), gate()];
    const s = await serverHolding([quick, stuck], 100);
    const answers = [get(s, '/held/0'), get(s, '/held/1')];
    await inFlight(s, 2);
    const closing = s.close();
    quick.open();
    await closing;
    expect(await Promise.all(answers)).toEqual(['200 close done 0', 'failed']);
  });
});
