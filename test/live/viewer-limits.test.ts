import type { Socket } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Control, ControlResult } from '../../sim/live/controls.js';
import { startLiveServer, tooManyViewers, type LiveServer } from '../../sim/live/server.js';
import type { Snapshot } from '../../sim/live/snapshot.js';
import {
  CONTROL_BURST,
  CONTROLS_PER_SEC,
  MAX_PENDING_CONTROLS,
  NOT_READING,
} from '../../sim/live/viewer-socket.js';

/** A source whose controls wait on a market that never answers (as a paused market's do), and a count of them. */
function stalledSource(): {
  snapshot(): Snapshot;
  apply(c: Control): Promise<ControlResult>;
  applied: number;
} {
  return {
    applied: 0,
    snapshot: () => ({ mode: 'live', status: 'paused' }) as unknown as Snapshot,
    apply(_c: Control) {
      this.applied++;
      return new Promise<ControlResult>(() => {});
    },
  };
}

function socketUrl(server: LiveServer): string {
  return server.url.replace('http', 'ws') + '/ws';
}

/** A source whose every control is applied at once, and a count of them. */
function readySource() {
  return {
    applied: 0,
    snapshot: () => ({ mode: 'live', status: 'running' }) as unknown as Snapshot,
    apply(c: Control) {
      this.applied++;
      return Promise.resolve<ControlResult>({ ok: true, applied: c.type });
    },
  };
}

/** Connects and collects every message but the snapshots, which it counts. */
async function connect(
  server: LiveServer,
): Promise<{ ws: WebSocket; replies: unknown[]; snapshots: () => number }> {
  const ws = new WebSocket(socketUrl(server));
  const replies: unknown[] = [];
  let snapshots = 0;
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type !== 'snapshot') replies.push(msg);
    else snapshots++;
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, replies, snapshots: () => snapshots };
}

/** Sends `n` copies of `text` in one write (one read on the server). */
function sendAtOnce(ws: WebSocket, text: string, n: number): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (let i = 0; i < n; i++) ws.send(text);
  socket.uncork();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('what one viewer can make the live server hold', () => {
  let server: LiveServer | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server?.close();
    server = undefined;
  });

  test('a viewer that stops reading while flooding control messages is closed with 1008 "not reading", not answered without bound', async () => {
    server = await startLiveServer(stalledSource(), { intervalMs: 60_000 });
    const { ws, replies } = await connect(server);
    sockets.push(ws);
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let close: [number, string] | undefined;
    ws.once('close', (code, reason) => (close = [code, String(reason)]));
    socket.pause(); // reads nothing the server sends
    const sent = 200_000;
    for (let n = 0; n < sent; n += 2000) {
      for (let i = 0; i < 2000; i++) ws.send('{}'); // each answered with a bad_message error
      await new Promise((r) => setImmediate(r));
      while (ws.bufferedAmount > 1 << 20) await sleep(5);
    }
    while (ws.bufferedAmount > 0) await sleep(5);
    await sleep(200); // the server has read the last frames
    socket.resume();
    await expect.poll(() => close !== undefined || replies.length === sent, { timeout: 30_000 }).toBe(true);
    expect(close).toEqual([NOT_READING.code, NOT_READING.reason]);
    expect(replies.length).toBeLessThan(sent);
  }, 60_000);

  test(`a viewer with ${MAX_PENDING_CONTROLS} controls waiting on the market gets "busy" for the next, which never reaches the market`, async () => {
    const source = stalledSource();
    server = await startLiveServer(source, { intervalMs: 60_000 });
    const { ws, replies } = await connect(server);
    sockets.push(ws);
    for (let i = 0; i <= MAX_PENDING_CONTROLS; i++) ws.send('{"type":"pause"}');
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(1);
    expect(replies).toEqual([
      {
        type: 'error',
        code: 'busy',
        message: `at most ${MAX_PENDING_CONTROLS} control messages wait for the market at once; wait for their replies`,
      },
    ]);
    expect(source.applied).toBe(MAX_PENDING_CONTROLS);
  });

  test('a viewer over maxViewers is refused with 503 too_many_viewers; one leaving makes room', async () => {
    server = await startLiveServer(stalledSource(), { intervalMs: 60_000, maxViewers: 2 });
    const first = await connect(server);
    const second = await connect(server);
    sockets.push(first.ws, second.ws);
    const third = new WebSocket(socketUrl(server));
    third.on('error', () => {}); // the refusal itself is what is checked
    const refused = await new Promise<[number, string]>((resolve, reject) => {
      third.once('open', () => reject(new Error('a third viewer was let in')));
      third.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += String(c)));
        res.on('end', () => resolve([res.statusCode ?? 0, body]));
      });
    });
    expect(refused).toEqual([503, tooManyViewers(2)]);
    expect(tooManyViewers(2)).toBe(
      'too_many_viewers: this demo serves at most 2 viewers at once; close another page or try again later',
    );
    first.ws.close();
    await expect.poll(() => server!.viewers, { timeout: 10_000 }).toBe(1);
    const fourth = await connect(server);
    sockets.push(fourth.ws);
    expect(server.viewers).toBe(2);
  });

  test(`a viewer gets ${CONTROL_BURST} controls at once, then ${CONTROLS_PER_SEC} a second; more are answered rate_limited and never reach the market`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // the bucket refills only when the test moves the date
    try {
      const source = readySource();
      server = await startLiveServer(source, { intervalMs: 60_000 });
      const { ws, replies } = await connect(server);
      sockets.push(ws);
      /** Sends `n` pause controls in batches the pending bound lets through, each answered before the next. */
      const send = async (n: number) => {
        for (let left = n; left > 0; left -= MAX_PENDING_CONTROLS) {
          const expected = replies.length + Math.min(left, MAX_PENDING_CONTROLS);
          sendAtOnce(ws, '{"type":"pause"}', Math.min(left, MAX_PENDING_CONTROLS));
          // Not expect.poll: under fake timers it moves the date, which would refill the bucket.
          while (replies.length < expected) await new Promise((r) => ws.once('message', r));
        }
      };
      const refused = () => replies.filter((r) => (r as { type: string }).type === 'error');
      await send(CONTROL_BURST + 5);
      expect(source.applied).toBe(CONTROL_BURST);
      expect(refused().map((r) => (r as { code: string }).code)).toEqual(Array(5).fill('rate_limited'));
      vi.setSystemTime(Date.now() + 1000);
      await send(CONTROLS_PER_SEC + 1);
      expect(source.applied).toBe(CONTROL_BURST + CONTROLS_PER_SEC);
      expect(refused().length).toBe(6);
      expect(refused().at(-1)).toEqual({
        type: 'error',
        code: 'rate_limited',
        message: `at most ${CONTROL_BURST} control messages at once, then ${CONTROLS_PER_SEC} a second; slow down`,
      });
    } finally {
      vi.useRealTimers();
    }
  });

  test('controls applied in one turn of the event loop cost every viewer one snapshot, sent before their replies', async () => {
    server = await startLiveServer(readySource(), { intervalMs: 60_000 });
    const presenter = await connect(server);
    const watcher = await connect(server);
    sockets.push(presenter.ws, watcher.ws);
    const order: string[] = [];
    presenter.ws.on('message', (data) => order.push((JSON.parse(String(data)) as { type: string }).type));
    sendAtOnce(presenter.ws, '{"type":"pause"}', MAX_PENDING_CONTROLS);
    await expect.poll(() => presenter.replies.length, { timeout: 10_000 }).toBe(MAX_PENDING_CONTROLS);
    expect(order).toEqual(['snapshot', ...Array(MAX_PENDING_CONTROLS).fill('ok')]);
    await expect.poll(() => watcher.snapshots(), { timeout: 10_000 }).toBe(2); // on connecting, then one for all 8
  });
});
