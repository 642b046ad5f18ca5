import { WebSocket } from 'ws';
import type { Snapshot } from '../../sim/live/snapshot.js';
import type { LiveServer } from '../../sim/live/server.js';

/** A viewer of a live server over its socket, as the page is: the replies to its controls and the latest snapshot. */
export class Viewer {
  readonly replies: Record<string, unknown>[] = [];
  snapshot: Snapshot | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.type === 'snapshot') this.snapshot = msg.snapshot as Snapshot;
      else this.replies.push(msg);
    });
  }

  static async open(server: LiveServer): Promise<Viewer> {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Viewer(ws);
  }

  send(control: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(control));
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves after `ms` of wall time. */
export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
