import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../infra/log.js';
import { MAX_CONTROL_BYTES } from './controls.js';
import type { Snapshot } from './snapshot.js';

/**
 * Bytes of snapshots a viewer may have unsent: a snapshot that would take it
 * past this is not queued (the first one included); it gets a later one once
 * it reads, so a viewer that stops reading costs at most this much memory.
 */
export const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * A viewer whose socket has this much unsent (it stopped reading) is hung up
 * on when it asks for more, so one client cannot make the server hold its
 * replies without bound. Snapshots alone never reach it: one that would take
 * a viewer over MAX_BUFFERED_BYTES is not sent to it.
 */
export const MAX_UNSENT_BYTES = 4 << 20;
/** Control messages one viewer may have waiting on the market at once; more are refused with `busy`. */
export const MAX_PENDING_CONTROLS = 8;
/**
 * Control messages one viewer may send: a burst of CONTROL_BURST, then
 * CONTROLS_PER_SEC a second; more are answered `rate_limited` at once (each
 * applied control costs every viewer a snapshot).
 */
export const CONTROL_BURST = 20;
export const CONTROLS_PER_SEC = 10;
/** The close code (policy violation) and reason a viewer that stopped reading gets. */
export const NOT_READING = {
  code: 1008,
  reason: `not reading: over ${MAX_UNSENT_BYTES >> 20} MiB of replies unsent`,
} as const;

/**
 * A frame over this many bytes is answered `too_large` and its socket closed with 1009 (message too
 * big): the page never sends one (its controls are at most MAX_CONTROL_BYTES), so whoever does is
 * not the page. Smaller ones over MAX_CONTROL_BYTES get `too_large` and the socket stays open.
 */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * The socket's own limit on one message (ws `maxPayload`), above MAX_FRAME_BYTES so that a frame
 * over that still gets its reply (ws closes the socket before anything can be sent when its limit
 * is crossed). A bigger frame is cut by ws when its header announces it (close 1009, no reply): no
 * viewer makes the server hold more than 1 MiB of one message, as it holds at most 1 MiB of
 * snapshots unsent per viewer.
 */
export const MAX_SOCKET_PAYLOAD = 1 << 20;
/** The close code (message too big) and reason a viewer that sent a frame over MAX_FRAME_BYTES gets. */
export const TOO_LARGE_CLOSE = {
  code: 1009,
  reason: `message too big: over ${MAX_FRAME_BYTES >> 10} KiB`,
} as const;

export type Reply = Record<string, unknown>;

/** A snapshot as sent, and its size. */
export interface Frame {
  text: string;
  bytes: number;
}

export function snapshotFrame(snapshot: Snapshot): Frame {
  const text = JSON.stringify({ type: 'snapshot', snapshot });
  return { text, bytes: Buffer.byteLength(text) };
}

/**
 * Sends a snapshot to a viewer unless it would take the viewer's unsent bytes
 * past MAX_BUFFERED_BYTES. A snapshot bigger than that on its own reaches no
 * one: said once in the log, since the page then shows nothing new.
 */
export function snapshotSender(logger: Logger): (ws: WebSocket, frame: Frame) => void {
  let warned = false;
  return (ws, frame) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + frame.bytes <= MAX_BUFFERED_BYTES) return ws.send(frame.text);
    if (frame.bytes <= MAX_BUFFERED_BYTES || warned) return;
    warned = true;
    logger.warn(
      { bytes: frame.bytes, limit: MAX_BUFFERED_BYTES },
      'a snapshot is larger than a viewer may have unsent: not sent',
    );
  };
}

/** The reply to a frame over MAX_FRAME_BYTES, sent just before its socket is closed. */
export function tooLargeFrame(bytes: number): Reply {
  return {
    type: 'error',
    code: 'too_large',
    message: `control messages are at most ${MAX_CONTROL_BYTES} bytes; this one has ${bytes}, over ${MAX_FRAME_BYTES >> 10} KiB, so the socket is closed`,
  };
}

const BINARY: Reply = {
  type: 'error',
  code: 'bad_json',
  message: 'control messages are JSON text frames, not binary',
};
const BUSY: Reply = {
  type: 'error',
  code: 'busy',
  message: `at most ${MAX_PENDING_CONTROLS} control messages wait for the market at once; wait for their replies`,
};

const RATE_LIMITED: Reply = {
  type: 'error',
  code: 'rate_limited',
  message: `at most ${CONTROL_BURST} control messages at once, then ${CONTROLS_PER_SEC} a second; slow down`,
};

/**
 * Answers one viewer's control messages, each with one reply, within bounds:
 * a frame over MAX_FRAME_BYTES is answered `too_large` and the socket closed
 * (TOO_LARGE_CLOSE), at most CONTROL_BURST at once and CONTROLS_PER_SEC after
 * (more are refused with `rate_limited`), at most MAX_PENDING_CONTROLS answers
 * outstanding (more are refused with `busy` at once), and a viewer with over
 * MAX_UNSENT_BYTES unsent is closed with NOT_READING instead of being sent
 * more. Nothing is answered once the socket is closing.
 */
export function answerControls(ws: WebSocket, onControl: (text: string) => Promise<Reply>): void {
  let pending = 0;
  const allowed = tokenBucket(CONTROL_BURST, CONTROLS_PER_SEC);
  ws.on('message', (data, isBinary) => {
    if (ws.readyState !== ws.OPEN) return;
    const bytes = byteLength(data);
    if (bytes > MAX_FRAME_BYTES) {
      send(ws, tooLargeFrame(bytes));
      return ws.close(TOO_LARGE_CLOSE.code, TOO_LARGE_CLOSE.reason);
    }
    if (!allowed()) return send(ws, RATE_LIMITED);
    if (pending >= MAX_PENDING_CONTROLS) return send(ws, BUSY);
    pending++;
    const answer = isBinary ? Promise.resolve(BINARY) : onControl(String(data));
    void answer
      .catch((err: unknown) => ({
        type: 'error',
        code: 'not_supported',
        message: err instanceof Error ? err.message : String(err),
      }))
      .then((r) => {
        pending--;
        send(ws, r);
      });
  });
}

function send(ws: WebSocket, r: Reply): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_UNSENT_BYTES) return ws.close(NOT_READING.code, NOT_READING.reason);
  ws.send(JSON.stringify(r));
}

/** The size of one message as ws hands it over (a Buffer, or its fragments). */
function byteLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
}

/** True while a token is left: `burst` to start with, `perSec` more each second (Date.now). */
function tokenBucket(burst: number, perSec: number): () => boolean {
  let tokens = burst;
  let at = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - at) * perSec) / 1000);
    at = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}
