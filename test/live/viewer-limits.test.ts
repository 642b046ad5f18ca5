import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { Control, ControlResult } from '../../sim/live/controls.js';
import { startLiveServer, tooManyViewers, type LiveServer } from '../../sim/live/server.js';
import type { Snapshot } from '../../sim/live/snapshot.js';
import { MAX_PENDING_CONTROLS, NOT_READING } from '../../sim/live/viewer-socket.js';

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

/** Connects and collects every message but the snapshots. */
async function connect(server: LiveServer): Promise<{ ws: WebSocket; replies: unknown[] }> {
  const ws = new WebSocket(socketUrl(server));
  const replies: unknown[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type !== 'snapshot') replies.push(msg);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, replies };
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
});
