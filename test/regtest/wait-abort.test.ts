/**
 * The bring-up's waits and retries once its abort signal fires (Ctrl-C
 * during `network:up`): they give up at once with LabError('aborted') and
 * poll or try no more. The bring-up around them: abort-up.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { retry, waitFor } from '../../infra/regtest/wait.js';

describe('waits and retries stop when the signal fires', () => {
  it('waitFor rejects with aborted at the next poll, and polls no more', async () => {
    const controller = new AbortController();
    let polls = 0;
    const wait = waitFor(
      systemClock,
      60_000,
      'btcd rpc.cert',
      async () => (++polls === 2 && controller.abort(), false),
      controller.signal,
    );
    await expect(wait).rejects.toThrow(
      expect.objectContaining({
        code: 'aborted',
        message: 'bring-up interrupted (waiting for btcd rpc.cert)',
      }),
    );
    expect(polls).toBe(2);
  });

  it('retry stops after the attempt the signal interrupted, trying no more', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const open = retry(
      systemClock,
      10,
      'open hub→seller-1',
      async () => {
        attempts++;
        controller.abort();
        throw new Error('server is still in the process of starting');
      },
      controller.signal,
    );
    await expect(open).rejects.toThrow(
      expect.objectContaining({ code: 'aborted', message: 'bring-up interrupted (open hub→seller-1)' }),
    );
    expect(attempts).toBe(1);
  });
});
