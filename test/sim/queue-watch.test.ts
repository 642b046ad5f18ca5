/**
 * What a following coordinator looks at besides its log (real redis-server, BullMQ's own queue):
 * lost jobs added again, the sweep's texts kept alive, and its own faults not reported as Redis's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { resolveScenarioPath } from '../../sim/scenario/load.js';
import { readFileSync } from 'node:fs';
import {
  QUEUE_NAME,
  RESULT_TTL_SEC,
  failuresKey,
  jobKey,
  logKey,
  resultsKey,
  sweepId,
} from '../../sim/sweep/queue-plan.js';
import { textKey } from '../../sim/sweep/queue-files.js';
import { QueueWatch } from '../../sim/sweep/queue-watch.js';
import { encodeReply } from '../../sim/sweep/queue-replies.js';
import { queueTransport } from '../../sim/sweep/queue-coordinator.js';
import { parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { codeVersion } from '../../sim/sweep/code-version.js';
import type { SweepJob } from '../../sim/sweep/protocol.js';
import { redisSuite, startRedis, type TestRedis } from './queue-harness.js';

redisSuite('a coordinator’s watch over its pending jobs (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('adds again only a pending job that is gone from the queue with no reply stored, and renews the texts for another 7 days', async () => {
    const client = redis.client(2);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 2 } });
    await queue.pause();
    // 0: gone, nothing stored (lost); 1: still queued; 2: gone, its failure stored; 3: gone, its result stored.
    await queue.add('run', {}, { jobId: jobKey('w', 1) });
    await client.hset(failuresKey('w'), '2', 'x');
    await client.hset(resultsKey('w'), '3', 'x');
    await client.set(textKey('ab'), 'text', 'EX', 60);
    const added: number[][] = [];
    const watch = new QueueWatch({
      queue,
      redis: client,
      sweep: 'w',
      texts: ['ab'],
      add: async (ids) => {
        added.push(ids);
      },
    });
    await watch.look(
      () => [0, 1, 2, 3],
      () => {},
    );
    expect(added).toEqual([[0]]);
    expect(await client.ttl(textKey('ab'))).toBe(RESULT_TTL_SEC);
    await queue.close();
  });

  it("a fault in handling a reply (here the caller's TypeError) stops the sweep as it is, not as a lost Redis", async () => {
    const file = resolveScenarioPath('quickstart');
    const text = readFileSync(file, 'utf8');
    const jobs: SweepJob[] = [{ id: 0, scenario: file, overrides: {}, seed: 1 }];
    const sweep = sweepId(codeVersion(), [{ ...jobs[0]!, scenario: file, text }]);
    const transport = queueTransport(parseQueueUrl(redis.url(3)), { scenario: { file, text }, pollMs: 20 });
    const running = transport(jobs, () => {
      throw new TypeError('boom');
    });
    // A worker's reply to job 0, stored and logged once the coordinator follows the sweep.
    const client = redis.client(3);
    while ((await client.exists(`bull:${QUEUE_NAME}:${jobKey(sweep, 0)}`)) === 0)
      await new Promise((r) => setTimeout(r, 20));
    await client
      .multi()
      .hset(failuresKey(sweep), '0', encodeReply({ id: 0, ok: false, code: 'c', message: 'm' }))
      .rpush(logKey(sweep), 'f:0')
      .exec();
    await expect(running).rejects.toThrow(new TypeError('boom'));
  });

  it('names a sweep of 100,000 jobs of an 8 kB scenario without building one string of them all', () => {
    const text = 'x'.repeat(8 * 1024);
    const jobs = Array.from({ length: 100_000 }, (_, id): SweepJob => ({
      id,
      scenario: 's.yaml',
      overrides: {},
      seed: id + 1,
      text,
    }));
    expect(sweepId('code', jobs)).toMatch(/^[0-9a-f]{20}$/);
  });
});
