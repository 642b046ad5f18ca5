import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import type { Registry } from './registry.js';
import type { RegistryEvent } from './types.js';

/** What the feed sends: a greeting on connect, then every registry event as it happens. */
export type FeedMessage = { type: 'hello'; listings: number } | RegistryEvent;

/** Where the feed listens on the registry's HTTP server. */
export const FEED_PATH = '/feed';

/** Default most feed subscribers at once: 1,000 × the 1 MiB each may fall behind is 1 GiB at worst. */
export const FEED_MAX_CLIENTS = 1000;

/** A feed attached to a server. */
export interface RegistryFeed {
  readonly clients: number;
  close(): Promise<void>;
}

/**
 * Serves the registry's change feed over WebSocket (`ws`) on the same
 * socket as its HTTP API: upgrades on `path` become subscribers, anything
 * else is refused with 404. Subscribers only listen (frames they send are
 * ignored, and large ones close the connection); one that falls more than
 * `maxBufferedBytes` behind is dropped rather than buffered without bound.
 * At most `maxClients` subscribers at once (each may hold `maxBufferedBytes`):
 * beyond that an upgrade is refused with 503 and Retry-After.
 */
export function attachRegistryFeed(
  server: Server,
  registry: Registry,
  {
    path = FEED_PATH,
    maxBufferedBytes = 1 << 20,
    maxClients = FEED_MAX_CLIENTS,
    logger = silentLogger,
  }: { path?: string; maxBufferedBytes?: number; maxClients?: number; logger?: Logger } = {},
): RegistryFeed {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://registry').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (wss.clients.size >= maxClients) {
      const body = JSON.stringify({
        error: 'too_many_subscribers',
        message: `the feed has ${maxClients} subscribers, its limit; retry later`,
      });
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => logger.debug({ err }, 'feed subscriber error'));
      ws.send(JSON.stringify({ type: 'hello', listings: registry.size } satisfies FeedMessage));
    });
  };
  server.on('upgrade', onUpgrade);
  const unsubscribe = registry.subscribe((event) => {
    const data = JSON.stringify(event satisfies FeedMessage);
    for (const ws of wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > maxBufferedBytes) {
        logger.warn('dropping a feed subscriber that fell too far behind');
        ws.terminate();
        continue;
      }
      ws.send(data);
    }
  });
  return {
    get clients() {
      return wss.clients.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** A live subscription to a remote registry's feed. */
export interface FeedSubscription {
  close(): void;
  /** Resolves once the server greeted us (events after this are not missed). */
  ready: Promise<void>;
}

/**
 * Subscribes to `<baseUrl>/feed` over WebSocket. Messages that are not JSON
 * objects with a `type` are dropped (a feed is not trusted to be well formed).
 */
export function subscribeFeed(
  baseUrl: string,
  onMessage: (m: FeedMessage) => void,
  { onError }: { onError?: (err: Error) => void } = {},
): FeedSubscription {
  const url = new URL(FEED_PATH, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url, { maxPayload: 1 << 22 });
  let greeted: () => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    greeted = resolve;
    failed = reject;
  });
  ws.on('message', (data) => {
    let m: unknown;
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
    if ((m as FeedMessage).type === 'hello') greeted();
    onMessage(m as FeedMessage);
  });
  ws.on('error', (err) => {
    failed(err);
    onError?.(err);
  });
  return { ready, close: () => ws.close() };
}
