/**
 * A stored reply is the answer to one job, run with that job's seed: a reply whose summary ran
 * another seed (written into Redis by something else, or the reply of another sweep) would be
 * merged as that job's run. The coordinator refuses it with bad_reply, naming both seeds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolveScenarioPath } from '../../sim/scenario/load.js';
import { QUEUE_NAME, jobKey, logKey, resultsKey, sweepId } from '../../sim/sweep/queue-plan.js';
import { ReplyLog, encodeReply } from '../../sim/sweep/queue-replies.js';
import { queueTransport } from '../../sim/sweep/queue-coordinator.js';
import { parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { codeVersion } from '../../sim/sweep/code-version.js';
import type { SweepJob, SweepReply } from '../../sim/sweep/protocol.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { redisSuite, startRedis, type TestRedis } from './queue-harness.js';

redisSuite('a stored reply of another seed than its job’s (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A finished run's reply to job `id`, its summary a real run's: quickstart's golden summary, seed 1. */
  const golden = readFileSync(new URL('./golden/quickstart-seed1.json', import.meta.url), 'utf8');
  const finished = (id: number): SweepReply => ({
    id,
    ok: true,
    summary: JSON.parse(golden) as Summary,
    pointHash: 'a'.repeat(64),
    wallMs: 5,
  });
  const refusal = (key: string, field: string, why: string) =>
    `the reply stored in ${key} field ${field} is not one this version wrote (${why}): ` +
    `delete it (redis-cli HDEL ${key} ${field}) and run the sweep again, which runs that job again`;

  it('a log reader given the jobs’ seeds reads run 4 (seed 1) as stored and stops at run 5 (seed 2) answered by a seed-1 summary, naming both seeds', async () => {
    const client = redis.client(0);
    await client.hset(resultsKey('seeds'), '4', encodeReply(finished(4)), '5', encodeReply(finished(5)));
    await client.rpush(logKey('seeds'), 'r:4', 'r:5');
    const recorded: SweepReply[] = [];
    const err = await new ReplyLog(client, 'seeds', [1, 2, 1, 2, 1, 2])
      .read(new Set(), (r) => recorded.push(r))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'bad_reply',
      message: refusal(resultsKey('seeds'), '5', 'its summary is of seed 1, but run 5 runs seed 2'),
    });
    expect(recorded).toEqual([finished(4)]);
  });

  it('a text seed "1" is not the seed 1 a summary ran: refused, the seeds quoted as given', async () => {
    const client = redis.client(0);
    await client.hset(resultsKey('text-seed'), '0', encodeReply(finished(0)));
    await client.rpush(logKey('text-seed'), 'r:0');
    const err = await new ReplyLog(client, 'text-seed', ['1'])
      .read(new Set(), () => {})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'bad_reply',
      message: refusal(resultsKey('text-seed'), '0', 'its summary is of seed 1, but run 0 runs seed "1"'),
    });
  });

  it('a queued sweep whose run 0 (seed 2) is answered by a seed-1 summary stops with bad_reply instead of merging it', async () => {
    const file = resolveScenarioPath('quickstart');
    const text = readFileSync(file, 'utf8');
    const jobs: SweepJob[] = [{ id: 0, scenario: file, overrides: {}, seed: 2 }];
    const sweep = sweepId(codeVersion(), [{ ...jobs[0]!, text }]);
    const transport = queueTransport(parseQueueUrl(redis.url(1)), { scenario: { file, text }, pollMs: 20 });
    const merged: SweepReply[] = [];
    const running = transport(jobs, (r) => merged.push(r)).catch((e: unknown) => e);
    // The forged reply, stored and logged once the coordinator has queued job 0 and follows the sweep.
    const client = redis.client(1);
    while ((await client.exists(`bull:${QUEUE_NAME}:${jobKey(sweep, 0)}`)) === 0)
      await new Promise((r) => setTimeout(r, 20));
    await client
      .multi()
      .hset(resultsKey(sweep), '0', encodeReply(finished(0)))
      .rpush(logKey(sweep), 'r:0')
      .exec();
    expect(await running).toMatchObject({
      code: 'bad_reply',
      message: refusal(resultsKey(sweep), '0', 'its summary is of seed 1, but run 0 runs seed 2'),
    });
    expect(merged).toEqual([]);
  });
});
