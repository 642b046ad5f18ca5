/**
 * A viewer's frame over the live socket's frame limit gets the `too_large` reply other refused
 * messages get, then its socket is closed (1009), with a real ws client against the real server.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_CONTROL_BYTES, type Control, type ControlResult } from '../../sim/live/controls.js';
import { startLiveServer, type LiveServer } from '../../sim/live/server.js';
import type { Snapshot } from '../../sim/live/snapshot.js';
import { MAX_FRAME_BYTES, MAX_SOCKET_PAYLOAD, TOO_LARGE_CLOSE } from '../../sim/live/viewer-socket.js';

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

interface Viewer {
  ws: WebSocket;
  /** Every message but the snapshots. */
  replies: unknown[];
  /** The close code and reason, once closed. */
  closed: () => [number, string] | undefined;
}

async function connect(server: LiveServer): Promise<Viewer> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
  const replies: unknown[] = [];
  let closed: [number, string] | undefined;
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type !== 'snapshot') replies.push(msg);
  });
  ws.on('close', (code, reason) => (closed = [code, String(reason)]));
  ws.on('error', () => {}); // a frame cut by the server may fail the client's write; the close is what is checked
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, replies, closed: () => closed };
}

/** A JSON control message of exactly `bytes` bytes. */
const controlOf = (bytes: number) => {
  const head = '{"type":"pause","pad":"';
  return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
};

describe('frames over the live socket’s frame limit', () => {
  let server: LiveServer | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server?.close();
    server = undefined;
  });

  test(`a text frame of ${MAX_FRAME_BYTES} + 1 bytes gets {type:'error', code:'too_large'} and then close 1009`, async () => {
    const source = readySource();
    server = await startLiveServer(source, { intervalMs: 60_000 });
    const viewer = await connect(server);
    sockets.push(viewer.ws);
    const text = controlOf(MAX_FRAME_BYTES + 1);
    expect(Buffer.byteLength(text)).toBe(65_537);
    viewer.ws.send(text);
    await expect
      .poll(() => viewer.closed(), { timeout: 10_000 })
      .toEqual([1009, 'message too big: over 64 KiB']);
    expect(TOO_LARGE_CLOSE).toEqual({ code: 1009, reason: 'message too big: over 64 KiB' });
    expect(viewer.replies).toEqual([
      {
        type: 'error',
        code: 'too_large',
        message: `control messages are at most ${MAX_CONTROL_BYTES} bytes; this one has 65537, over 64 KiB, so the socket is closed`,
      },
    ]);
    expect(source.applied).toBe(0);
  });

  test('a binary frame over the limit gets the same reply and close', async () => {
    server = await startLiveServer(readySource(), { intervalMs: 60_000 });
    const viewer = await connect(server);
    sockets.push(viewer.ws);
    viewer.ws.send(Buffer.alloc(100_000));
    await expect
      .poll(() => viewer.closed(), { timeout: 10_000 })
      .toEqual([1009, 'message too big: over 64 KiB']);
    expect(viewer.replies).toEqual([
      {
        type: 'error',
        code: 'too_large',
        message: `control messages are at most ${MAX_CONTROL_BYTES} bytes; this one has 100000, over 64 KiB, so the socket is closed`,
      },
    ]);
  });

  test(`a frame of exactly ${MAX_FRAME_BYTES} bytes gets too_large and the socket stays open for the next control`, async () => {
    const source = readySource();
    server = await startLiveServer(source, { intervalMs: 60_000 });
    const viewer = await connect(server);
    sockets.push(viewer.ws);
    viewer.ws.send(controlOf(MAX_FRAME_BYTES));
    viewer.ws.send('{"type":"pause"}');
    await expect.poll(() => viewer.replies.length, { timeout: 10_000 }).toBe(2);
    expect(viewer.replies).toEqual([
      {
        type: 'error',
        code: 'too_large',
        message: `control messages are at most ${MAX_CONTROL_BYTES} bytes`,
      },
      { type: 'ok', applied: 'pause' },
    ]);
    expect(viewer.closed()).toBeUndefined();
    expect(source.applied).toBe(1);
  });

  test(`a frame over the socket's own ${MAX_SOCKET_PAYLOAD >> 20} MiB limit is cut by ws (close 1009) unread and unanswered`, async () => {
    server = await startLiveServer(readySource(), { intervalMs: 60_000 });
    const viewer = await connect(server);
    sockets.push(viewer.ws);
    viewer.ws.send(controlOf(MAX_SOCKET_PAYLOAD + 1));
    await expect.poll(() => viewer.closed(), { timeout: 10_000 }).toEqual([1009, '']);
    expect(viewer.replies).toEqual([]);
  });
});
