import { describe, expect, it } from 'vitest';
import { SweepThreads } from '../../sim/sweep/queue-threads.js';

describe("a queue worker's threads", () => {
  it('refuse to start when the source changes while they load it, naming both versions', async () => {
    const versions = ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'];
    const err = await SweepThreads.start(1, () => versions.shift()!).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'code_changed',
      message:
        "the source changed while the worker's threads loaded it (code aaaaaaaaaaaa, then bbbbbbbbbbbb): " +
        'wait for the checkout to finish, then start the worker again',
    });
    expect(versions).toEqual([]);
  }, 60_000);

  it('all start and load the code before the first job, and their version is the one fingerprinted then', async () => {
    let fingerprints = 0;
    const threads = await SweepThreads.start(2, () => {
      fingerprints++;
      return 'aaaaaaaaaaaa';
    });
    // Before and after loading: no job has run yet.
    expect(fingerprints).toBe(2);
    expect(threads.code).toBe('aaaaaaaaaaaa');
    const reply = await threads.run({
      id: 7,
      scenario: 'quickstart',
      overrides: { 'buyers[0].budgetMsat': -1 },
      seed: 1,
    });
    expect(reply).toMatchObject({ id: 7, ok: false, code: 'invalid_scenario' });
    expect(fingerprints).toBe(2);
    await threads.close();
  }, 60_000);
});
