import type { Clock } from '../time/clock.js';

/** Why a body was not read in full. */
export type BodyProblem = 'too_large' | 'too_slow' | 'unreadable';

/** A body read within its limits, or why it was not. */
export type BoundedBody = { ok: true; bytes: Uint8Array } | { ok: false; problem: BodyProblem };

/**
 * How long a whole body may take to arrive: `ms` on `clock` (the market's
 * virtual clock in the simulator, `systemClock` for wall time). A caller
 * whose deadline also covers other steps passes the ms left of it.
 */
export type BodyTimeLimit = { clock: Clock; ms: number };

/**
 * Reads a response body into memory: at most `limit` bytes, within `within`
 * for the whole body (a `BodyTimeLimit`). A longer, slower or failing body is
 * cancelled unread beyond that point. Never throws.
 */
export async function readBody(res: Response, limit: number, within: BodyTimeLimit): Promise<BoundedBody> {
  const reader = res.body?.getReader();
  if (!reader) return { ok: true, bytes: new Uint8Array() };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let late = false;
  let over = false;
  // One time limit for the whole body: cancelling the reader ends a pending read (as done), the flag says why.
  const giveUp = () => {
    if (over) return;
    late = true;
    reader.cancel().catch(() => {});
  };
  const cancelLimit = within.clock.setTimer(within.ms, giveUp);
  try {
    for (;;) {
      const next = await reader.read();
      if (late) return { ok: false, problem: 'too_slow' };
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, problem: 'too_large' };
      }
      chunks.push(next.value);
    }
  } catch {
    return { ok: false, problem: late ? 'too_slow' : 'unreadable' };
  } finally {
    over = true;
    cancelLimit();
  }
  // A body read in one chunk is handed over as it came (no copy).
  return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

/** The same response with its body already read (so it can be read again by the caller, from memory). */
export function withBody(res: Response, bytes: Uint8Array): Response {
  const empty = res.status === 204 || res.status === 205 || res.status === 304;
  return new Response(empty ? null : bytes, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
