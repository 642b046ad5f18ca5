/** Why a body was not read in full. */
export type BodyProblem = 'too_large' | 'too_slow' | 'unreadable';

/** A body read within its limits, or why it was not. */
export type BoundedBody = { ok: true; bytes: Uint8Array } | { ok: false; problem: BodyProblem };

/**
 * Reads a response body into memory: at most `limit` bytes, within `timeoutMs`
 * for the whole body. A longer, slower or failing body is cancelled unread
 * beyond that point. Never throws.
 */
export async function readBody(res: Response, limit: number, timeoutMs: number): Promise<BoundedBody> {
  const reader = res.body?.getReader();
  if (!reader) return { ok: true, bytes: new Uint8Array() };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const stop = async (problem: BodyProblem): Promise<BoundedBody> => {
    await reader.cancel().catch(() => {});
    return { ok: false, problem };
  };
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') return await stop('too_slow');
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) return await stop('too_large');
      chunks.push(next.value);
    }
  } catch {
    return { ok: false, problem: 'unreadable' };
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
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
