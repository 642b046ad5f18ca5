/** The coordinator reads stored replies from Redis a batch at a time, never a sweep's every summary at once, and only what its log lists as new. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { READ_BATCH, ReplyLog, encodeReply, logEntry } from '../../sim/sweep/queue-replies.js';
import { failuresKey, logKey, resultsKey } from '../../sim/sweep/queue-plan.js';
import type { SweepReply } from '../../sim/sweep/protocol.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { redisSuite, startRedis, type TestRedis } from './queue-harness.js';

redisSuite('reading stored replies (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Stores a reply as a worker does: in its hash, then listed in the sweep's log. */
  async function store(client: Redis, sweep: string, reply: SweepReply) {
    const key = reply.ok ? resultsKey(sweep) : failuresKey(sweep);
    await client
      .multi()
      .hset(key, String(reply.id), encodeReply(reply))
      .rpush(logKey(sweep), logEntry(reply))
      .exec();
  }
  const failure = (id: number): SweepReply => ({ id, ok: false, code: 'c', message: `m${id}` });
  /** A finished run's reply, its summary a real run's (quickstart's golden summary). */
  const golden = readFileSync(new URL('./golden/quickstart-seed1.json', import.meta.url), 'utf8');
  const finished = (id: number): SweepReply & { ok: true } => ({
    id,
    ok: true,
    summary: JSON.parse(golden) as Summary,
    pointHash: 'a'.repeat(64),
    wallMs: 5,
  });

  it('hands record each logged reply not yet done (40 of 42) once, reading them 16 at a time, then only what was logged since', async () => {
    const client = redis.client(0);
    for (let id = 0; id < 42; id++) await store(client, 'batches', failure(id));
    const read: number[] = [];
    const spy = Object.create(client) as Redis;
    spy.hmgetBuffer = ((k: string, ...fields: string[]) => {
      read.push(fields.length);
      return client.hmgetBuffer(k, ...fields);
    }) as Redis['hmgetBuffer'];
    const recorded: SweepReply[] = [];
    const log = new ReplyLog(spy, 'batches', 44);
    await log.read(new Set([0, 41]), (r) => recorded.push(r));
    expect(READ_BATCH).toBe(16);
    expect(read).toEqual([16, 16, 8]);
    expect(recorded.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(recorded.find((r) => r.id === 7)).toEqual(failure(7));
    for (const id of [42, 43]) await store(client, 'batches', failure(id));
    await log.read(new Set(), (r) => recorded.push(r));
    expect(read).toEqual([16, 16, 8, 2]);
    expect(recorded.slice(40).map((r) => r.id)).toEqual([42, 43]);
  });

  it('a read that passes over failures (a resumed sweep runs them again) records only the logged results', async () => {
    const client = redis.client(0);
    await store(client, 'resumed', failure(0));
    await store(client, 'resumed', { id: 1, ok: false, code: 'c', message: 'm1' });
    const done = finished(2);
    await store(client, 'resumed', done);
    const recorded: SweepReply[] = [];
    await new ReplyLog(client, 'resumed', 3).read(new Set(), (r) => recorded.push(r), false);
    expect(recorded).toEqual([done]);
  });

  it('a reply is stored as its gzipped JSON', () => {
    const reply: SweepReply = { id: 4, ok: false, code: 'c', message: 'm'.repeat(1000) };
    expect(JSON.parse(gunzipSync(encodeReply(reply)).toString('utf8'))).toEqual(reply);
  });

  it.each([
    ['does not unpack', '5', Buffer.from('{"id":5}'), 'incorrect header check'],
    ['is not a reply', '5', encodeReply(null as unknown as SweepReply), 'not the shape of a reply'],
    ['is the reply of another run', '5', encodeReply(failure(1)), 'it is the reply of run 1'],
    [
      'names its run as text',
      '5',
      encodeReply({ ...failure(5), id: '5' as unknown as number }),
      'not the shape of a reply',
    ],
  ])(
    'a stored result that %s stops the read with bad_reply, naming where it is and what to do',
    async (_what, field, value, why) => {
      const client = redis.client(0);
      const sweep = `corrupt-${why.length}`;
      await client.hset(resultsKey(sweep), field, value);
      await client.rpush(logKey(sweep), `r:${field}`);
      const err = await new ReplyLog(client, sweep, 10).read(new Set(), () => {}).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'bad_reply',
        message:
          `the reply stored in ${resultsKey(sweep)} field 5 is not one this version wrote (${why}): ` +
          `delete it (redis-cli HDEL ${resultsKey(sweep)} 5) and run the sweep again, which runs that job again`,
      });
    },
  );

  /** A finished run's reply with its summary changed by `edit`, as something other than a worker might store it. */
  const forged = (edit: (s: Record<string, Record<string, unknown>>) => void) => {
    const reply = finished(5);
    edit(reply.summary as unknown as Record<string, Record<string, unknown>>);
    return encodeReply(reply);
  };

  it.each([
    [
      'an empty summary',
      encodeReply({ ...finished(5), summary: {} as Summary }),
      'its summary: missing scenario, description, seed, backend and 18 more',
    ],
    [
      'a rate and an amount as text',
      forged((s) => {
        s.purchases!.paymentSuccessRate = 'abc';
        s.welfare!.totalMsat = 'lots';
      }),
      'its summary: purchases.paymentSuccessRate: expected a number, got "abc"; welfare.totalMsat: expected a number, got "lots"',
    ],
    [
      'a rate of 5',
      forged((s) => {
        s.purchases!.paymentSuccessRate = 5;
        s.welfare!.totalMsat = 1e15;
      }),
      'its summary: purchases.paymentSuccessRate: expected at most 1',
    ],
    [
      'a fractional count, a negative amount paid, an unsafe msat, a group rate below 0',
      forged((s) => {
        s.purchases!.attempts = 1.5;
        s.money!.spentMsat = -5;
        s.welfare!.totalMsat = 1e300;
        (s.groups!.bargain as Record<string, unknown>).paymentSuccessRate = -0.5;
      }),
      'its summary: purchases.attempts: expected an integer, got 1.5; money.spentMsat: expected at least 0; ' +
        'welfare.totalMsat: expected at most 9,007,199,254,740,991; groups.bargain.paymentSuccessRate: expected at least 0',
    ],
    [
      'a point hash that is no sha256',
      encodeReply({ ...finished(5), pointHash: 'h' }),
      'not the shape of a reply',
    ],
  ])(
    'a stored result with %s stops the read with bad_reply naming the field, before any of it is merged; a real run’s before it is read as stored',
    async (_what, value, why) => {
      const client = redis.client(0);
      const sweep = `forged-${_what.length}`;
      // Run 4's reply, a real run's, is logged first: it is read back as stored.
      await client.hset(resultsKey(sweep), '4', encodeReply(finished(4)), '5', value);
      await client.rpush(logKey(sweep), 'r:4', 'r:5');
      const recorded: SweepReply[] = [];
      const err = await new ReplyLog(client, sweep, 10)
        .read(new Set(), (r) => recorded.push(r))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'bad_reply',
        message:
          `the reply stored in ${resultsKey(sweep)} field 5 is not one this version wrote (${why}): ` +
          `delete it (redis-cli HDEL ${resultsKey(sweep)} 5) and run the sweep again, which runs that job again`,
      });
      expect(recorded).toEqual([finished(4)]);
    },
  );

  it('log entries of another form, or naming no job of the sweep, are passed over', async () => {
    const client = redis.client(0);
    await store(client, 'odd', failure(1));
    await client.rpush(
      logKey('odd'),
      'x:1',
      '__proto__:1',
      'constructor:1',
      'garbage',
      'r:',
      'r:abc',
      'f:7',
      'f:01x',
    );
    await store(client, 'odd', failure(2));
    const recorded: SweepReply[] = [];
    await new ReplyLog(client, 'odd', 3).read(new Set(), (r) => recorded.push(r));
    expect(recorded).toEqual([failure(1), failure(2)]);
  });
});
