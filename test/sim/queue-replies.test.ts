/** The coordinator reads stored replies from Redis a batch at a time, never a sweep's every summary at once. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { READ_BATCH, readReplies } from '../../sim/sweep/queue-replies.js';
import type { SweepReply } from '../../sim/sweep/protocol.js';
import { redisSuite, startRedis, type TestRedis } from './queue-harness.js';

redisSuite('reading stored replies (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('hands record each stored reply not yet done (40 of 42) once, reading them 16 at a time', async () => {
    const client = redis.client(0);
    const key = 'sim-sweep:results:test';
    for (let id = 0; id < 42; id++)
      await client.hset(key, String(id), JSON.stringify({ id, ok: false, code: 'c', message: `m${id}` }));
    const read: number[] = [];
    const spy = Object.create(client) as Redis;
    spy.hmget = ((k: string, ...fields: string[]) => {
      read.push(fields.length);
      return client.hmget(k, ...fields);
    }) as Redis['hmget'];
    const recorded: SweepReply[] = [];
    await readReplies(spy, key, new Set([0, 41]), (r) => recorded.push(r));
    expect(READ_BATCH).toBe(16);
    expect(read).toEqual([16, 16, 8]);
    expect(recorded.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(recorded.find((r) => r.id === 7)).toEqual({ id: 7, ok: false, code: 'c', message: 'm7' });
  });
});
