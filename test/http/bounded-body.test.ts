import { describe, expect, it } from 'vitest';
import { readBody } from '../../infra/http/bounded-body.js';
import { systemClock } from '../../infra/time/clock.js';

/** A time limit of `ms` of wall time. */
const wall = (ms: number) => ({ clock: systemClock, ms });

/** A response whose body is `chunks`, then the end. */
function chunked(...chunks: number[][]): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new Uint8Array(c));
        controller.close();
      },
    }),
  );
}

describe('readBody', () => {
  it('reads a body of one chunk: exactly its bytes', async () => {
    expect(await readBody(chunked([1, 2, 3]), 3, wall(1_000))).toEqual({
      ok: true,
      bytes: new Uint8Array([1, 2, 3]),
    });
  });

  it('reads a body of three chunks into one run of bytes, in order', async () => {
    const body = await readBody(chunked([1], [2, 3], [4]), 4, wall(1_000));

    expect(body.ok && [...body.bytes]).toEqual([1, 2, 3, 4]);
  });

  it('reads no body as zero bytes', async () => {
    expect(await readBody(new Response(null, { status: 204 }), 10, wall(1_000))).toEqual({
      ok: true,
      bytes: new Uint8Array(),
    });
  });

  it('refuses a body one byte over the limit as too_large', async () => {
    expect(await readBody(chunked([1, 2], [3]), 2, wall(1_000))).toEqual({ ok: false, problem: 'too_large' });
  });

  it('gives a body whose stream fails as unreadable', async () => {
    const failing = new Response(
      new ReadableStream({
        pull() {
          throw new Error('reset');
        },
      }),
    );

    expect(await readBody(failing, 10, wall(1_000))).toEqual({ ok: false, problem: 'unreadable' });
  });

  it('gives up on a body that stops mid-way as too_slow, and cancels it', async () => {
    let cancelled = false;
    const stalled = new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array([1]));
        },
        cancel() {
          cancelled = true;
        },
      }),
    );

    expect(await readBody(stalled, 10, wall(10))).toEqual({ ok: false, problem: 'too_slow' });
    expect(cancelled).toBe(true);
  });
});
