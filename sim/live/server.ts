import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';
import { listen, type Listening } from '../../services/http/listen.js';
import { refuseOtherMethods } from '../../services/http/method-not-allowed.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import { parseControl, type ControlTarget } from './controls.js';
import { allowedHosts, refusal } from './origin.js';
import {
  answerControls,
  MAX_SOCKET_PAYLOAD,
  snapshotFrame,
  snapshotSender,
  type Reply,
} from './viewer-socket.js';
import type { Snapshot } from './snapshot.js';

/** What the page watches and acts on: a live market or a replay. */
export interface LiveSource extends ControlTarget {
  snapshot(): Snapshot;
}

export interface LiveServerOptions {
  port?: number;
  hostname?: string;
  /** How often viewers get a snapshot (wall ms). */
  intervalMs?: number;
  logger?: Logger;
  /** Viewers connected at once; one more is refused with 503 `too_many_viewers` (default MAX_VIEWERS). */
  maxViewers?: number;
}

export interface LiveServer {
  url: string;
  /** Viewers connected right now. */
  readonly viewers: number;
  /** Snapshots built so far (one per tick, shared by every viewer). */
  readonly ticks: number;
  /** The most bytes any viewer has queued and not yet handed to the system (at most MAX_BUFFERED_BYTES of snapshots). */
  readonly unsentBytes: number;
  close(): Promise<void>;
}

/** How long close() waits for viewers to take the last snapshot and hang up before cutting them off. */
const CLOSE_GRACE_MS = 1000;
/** Viewers connected at once by default (as the registry's feed caps its subscribers). */
export const MAX_VIEWERS = 1000;

const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/draw.js': 'draw.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** The page's files, shipped in the package (no CDN: the page works offline). */
function pageAssets(): Map<string, { body: string; type: string }> {
  const dir = fileURLToPath(new URL('./page/', import.meta.url));
  const out = new Map<string, { body: string; type: string }>();
  for (const [path, file] of Object.entries(ASSETS)) {
    const ext = file.split('.').pop()!;
    out.set(path, { body: readFileSync(dir + file, 'utf8'), type: TYPES[ext]! });
  }
  return out;
}

/**
 * Serves the live page (Hono) and pushes snapshots over a WebSocket at
 * `/ws`. One snapshot is built and serialised per tick whatever the number of
 * viewers, so viewers cost the market a send each, not a rebuild. Control
 * messages from the page are validated; a bad one gets `{type:'error'}` with
 * the reason and changes nothing. What one viewer can make the server hold
 * is bounded (`answerControls`), and at most `maxViewers` connect at once.
 *
 * `sourceOrBuild` may be a function that builds the source: it is called once
 * the port is bound, so a port in use fails before the source exists (a live
 * market opens its run files when built). If it throws, the port is released
 * and the error rethrown. `close()` sends viewers the last snapshot (a failed
 * run's error included) before it hangs up.
 */
export async function startLiveServer(
  sourceOrBuild: LiveSource | (() => LiveSource),
  opts: LiveServerOptions = {},
): Promise<LiveServer> {
  const {
    port = 0,
    hostname = '127.0.0.1',
    intervalMs = 250,
    logger = silentLogger,
    maxViewers = MAX_VIEWERS,
  } = opts;
  const assets = pageAssets();
  // Set before anything is served: the build runs as soon as listen() resolves, before any request is read.
  let source: LiveSource;
  if (typeof sourceOrBuild !== 'function') source = sourceOrBuild;
  let allowed = new Set<string>();
  const app = new Hono();
  app.use(async (c, next) => {
    const why = refusal(c.req.header('host'), c.req.header('origin'), allowed);
    if (why) return c.json({ error: 'forbidden', message: why }, 403);
    await next();
  });
  for (const [path, a] of assets)
    app.get(path, (c) => c.body(a.body, 200, { 'content-type': a.type, 'cache-control': 'no-store' }));
  app.get('/api/snapshot', (c) => c.json(source.snapshot()));
  refuseOtherMethods(
    app,
    [...assets.keys(), '/api/snapshot'].map((path) => [path, 'GET, HEAD'] as const),
  );
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  const http: Listening = await listen(app.fetch, { port, hostname });
  allowed = allowedHosts(hostname, Number(new URL(http.url).port));
  if (typeof sourceOrBuild === 'function') source = await buildOrRelease(sourceOrBuild, http);
  const wss = new WebSocketServer({
    server: http.server,
    path: '/ws',
    // Above the frame limit answerControls enforces with a reply: past this, ws closes unanswered.
    maxPayload: MAX_SOCKET_PAYLOAD,
    verifyClient: ({ req }, done) => {
      const why = refusal(req.headers.host, req.headers.origin, allowed);
      if (why) logger.warn({ host: req.headers.host, origin: req.headers.origin }, 'live socket refused');
      if (why) return done(false, 403, why);
      if (wss.clients.size >= maxViewers) return done(false, 503, tooManyViewers(maxViewers));
      done(true);
    },
  });
  let ticks = 0;
  const send = snapshotSender(logger);

  const broadcast = () => {
    if (wss.clients.size === 0) return;
    ticks++;
    const frame = snapshotFrame(source.snapshot());
    for (const ws of wss.clients) send(ws, frame);
  };
  const timer = setInterval(broadcast, intervalMs);

  wss.on('connection', (ws: WebSocket) => {
    send(ws, snapshotFrame(source.snapshot()));
    answerControls(ws, onControl);
    ws.on('error', (err) => logger.warn({ err }, 'live viewer socket failed'));
  });

  async function onControl(text: string): Promise<Reply> {
    const parsed = parseControl(text);
    if (!parsed.ok) return { type: 'error', code: parsed.code, message: parsed.message };
    const r = await source.apply(parsed.control);
    if (!r.ok) return { type: 'error', code: r.code, message: r.message };
    logger.info({ control: parsed.control }, 'presenter control applied');
    await broadcastSoon();
    return { type: 'ok', applied: r.applied };
  }

  /** One snapshot to everyone for all the controls applied in this turn of the event loop; resolves once sent. */
  let nextBroadcast: Promise<void> | undefined;
  function broadcastSoon(): Promise<void> {
    return (nextBroadcast ??= new Promise((resolve) =>
      setImmediate(() => {
        nextBroadcast = undefined;
        broadcast();
        resolve();
      }),
    ));
  }

  return {
    url: http.url,
    get viewers() {
      return wss.clients.size;
    },
    get ticks() {
      return ticks;
    },
    get unsentBytes() {
      return Math.max(0, ...[...wss.clients].map((ws) => ws.bufferedAmount));
    },
    /** Sends viewers the last snapshot (a failed run's error included), hangs up, stops listening. */
    async close() {
      clearInterval(timer);
      broadcast();
      await hangUp([...wss.clients]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await http.close();
    },
  };
}

/** The body of the 503 a viewer over the cap gets. */
export function tooManyViewers(max: number): string {
  return `too_many_viewers: this demo serves at most ${max} viewers at once; close another page or try again later`;
}

/** Closes viewers' sockets cleanly (1001 going away), cutting off any still open after CLOSE_GRACE_MS. */
async function hangUp(viewers: WebSocket[]): Promise<void> {
  const closed = viewers.map(
    (ws) =>
      new Promise<void>((done) => (ws.readyState === ws.CLOSED ? done() : ws.once('close', () => done()))),
  );
  for (const ws of viewers) ws.close(1001, 'the demo has stopped');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_GRACE_MS)));
  await Promise.race([Promise.all(closed), grace]);
  clearTimeout(timer);
  for (const ws of viewers) ws.terminate();
}

/** Builds the source once listening; if that throws, releases the port first. */
async function buildOrRelease(build: () => LiveSource, http: Listening): Promise<LiveSource> {
  try {
    return build();
  } catch (err) {
    await http.close();
    throw err;
  }
}
