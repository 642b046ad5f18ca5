import type { Page } from 'playwright-core';

/** The controls a page sends and the non-snapshot replies it gets, as parsed JSON, in order. */
export interface Wire {
  sent: Record<string, unknown>[];
  replies: Record<string, unknown>[];
}

/** Starts recording a page's WebSocket controls and replies; call before page.goto. */
export function recordWire(page: Page): Wire {
  const wire: Wire = { sent: [], replies: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => wire.sent.push(JSON.parse(String(f.payload)) as Record<string, unknown>));
    ws.on('framereceived', (f) => {
      const msg = JSON.parse(String(f.payload)) as Record<string, unknown>;
      if (msg.type !== 'snapshot') wire.replies.push(msg);
    });
  });
  return wire;
}
