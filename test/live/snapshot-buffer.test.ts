/**
 * The server never queues a snapshot that would take a viewer past
 * MAX_BUFFERED_BYTES unsent, the first one included: a viewer that stops
 * reading costs at most that much, and a snapshot larger than it on its own
 * reaches no one (said once in the log). Snapshots come from a real Replay of
 * a run directory whose events name a seller by a long text.
 */
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Replay } from '../../sim/live/replay.js';
import { startLiveServer, type LiveServer } from '../../sim/live/server.js';
import { MAX_BUFFERED_BYTES } from '../../sim/live/viewer-socket.js';

const dirs: string[] = [];
let server: LiveServer | undefined;
let replay: Replay | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  replay?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A replay, at its end, of one quote from a seller named by a `chars`-long URL
 * that does not parse (so the name is the URL): its seller row (name and group) and its flow.
 */
function replayNaming(chars: number): Replay {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-buffer-'));
  dirs.push(dir);
  const step = { t: 1, type: 'step', buyer: 'b', url: 'x'.repeat(chars), step: 'challenge', amountMsat: 5 };
  writeFileSync(join(dir, 'events.jsonl'), JSON.stringify(step) + '\n');
  const r = Replay.load(dir);
  r.seek(r.endMs);
  return r;
}

const frameBytes = (r: Replay) =>
  Buffer.byteLength(JSON.stringify({ type: 'snapshot', snapshot: r.snapshot() }));

async function viewer(s: LiveServer): Promise<{ ws: WebSocket; snapshots: () => number }> {
  const ws = new WebSocket(s.url.replace('http', 'ws') + '/ws');
  sockets.push(ws);
  let snapshots = 0;
  ws.on('message', () => snapshots++);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, snapshots: () => snapshots };
}

describe('snapshots a viewer has unsent', () => {
  it('a snapshot over MAX_BUFFERED_BYTES on its own is not sent, not even on connecting, and is logged once', async () => {
    replay = replayNaming(400_000);
    const bytes = frameBytes(replay);
    expect(bytes).toBe(1_200_816);
    const logs: { msg: string; bytes: number; limit: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    server = await startLiveServer(replay, { intervalMs: 10, logger });
    const v = await viewer(server);
    await expect.poll(() => server!.ticks, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    expect(v.snapshots()).toBe(0);
    expect(logs.map((l) => [l.msg, l.bytes, l.limit])).toEqual([
      ['a snapshot is larger than a viewer may have unsent: not sent', bytes, MAX_BUFFERED_BYTES],
    ]);
    // The page's HTTP snapshot is not a queued frame: it is still served.
    expect((await fetch(`${server.url}/api/snapshot`)).status).toBe(200);
  });

  it(`a viewer that stops reading never has more than MAX_BUFFERED_BYTES (${MAX_BUFFERED_BYTES}) of snapshots queued`, async () => {
    replay = replayNaming(200_000);
    expect(frameBytes(replay)).toBe(600_816);
    server = await startLiveServer(replay, { intervalMs: 5 });
    const v = await viewer(server);
    (v.ws as unknown as { _socket: Socket })._socket.pause(); // reads nothing the server sends
    // Once the system's socket buffers are full, snapshots wait in the server's own queue, until it holds
    // more than MAX_BUFFERED_BYTES - 600,816: from there on the rule must keep back every further snapshot.
    await expect
      .poll(() => server!.unsentBytes, { timeout: 20_000 })
      .toBeGreaterThan(MAX_BUFFERED_BYTES - 600_816);
    let most = 0;
    const from = server.ticks;
    while (server.ticks < from + 40) {
      most = Math.max(most, server.unsentBytes);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(most).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
    expect(server.viewers).toBe(1);
  }, 30_000);
});
