/**
 * `FileQuotaStore` (a seller's state directory keeps its counters in one): it counts as
 * `MemoryQuotaStore` does, call for call, and what it counted is there again when it is reopened,
 * after a `close` or without one (a crash), in a journal whose size follows the counters kept.
 */
import { appendFile, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { FileQuotaStore } from '../../services/paywall/file-quota-store.js';
import { MemoryQuotaStore, type QuotaStore, type QuotaSubject } from '../../services/paywall/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function journalPath(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'file-quota-store-'));
  dirs.push(d);
  return join(d, 'quotas.jsonl');
}

/** Token `id` (a `calls`-call bundle) or a copy of it: `chain` gives the limits below the bundle's. */
const subject = (id: string, calls: number, chain: number[] = [], validUntilMs = 1e12): QuotaSubject => ({
  tokenId: id,
  validUntilMs,
  callsSold: calls,
  quotas: [calls, ...chain].map((limit, i) => ({
    key: `${id}:q${[calls, ...chain].slice(0, i + 1).join('-')}`,
    limit,
  })),
});

/** 6 bundles, each presented as itself or one of 3 copies (two cut from the first). */
const SUBJECTS = Array.from({ length: 6 }, (_, i) => {
  const calls = 3 + i;
  return [
    subject(`t${i}`, calls),
    subject(`t${i}`, calls, [2]),
    subject(`t${i}`, calls, [2, 1]),
    subject(`t${i}`, calls, [1]),
  ];
}).flat();
interface Draw {
  op: number;
  s: QuotaSubject;
  bound: number;
  now: number;
}

/** What a step came to, for the tally: the operation and, for consume and release, ok or the refusal. */
function outcome(draw: Draw, result: unknown): string {
  const op = draw.op < 0.6 ? 'consume' : draw.op < 0.97 ? 'release' : 'forget';
  const r = result as { ok: boolean; reason?: string } | undefined;
  return r === undefined ? op : `${op} ${r.ok ? 'ok' : (r.reason ?? 'refused')}`;
}

const KEYS = [...new Set(SUBJECTS.flatMap((s) => s.quotas.map((q) => q.key)))];

/** One seeded step on `store`: consume, release (bounded or not, run or not) or forget. */
function step(store: QuotaStore, draw: Draw): unknown {
  if (draw.op < 0.6) return store.consume(draw.s, draw.now);
  if (draw.op < 0.97) return store.release(draw.s, draw.bound ? draw.bound : undefined, draw.op > 0.9);
  return store.forget(draw.s.tokenId);
}

describe('FileQuotaStore counts as MemoryQuotaStore does', () => {
  it('1,000 seeded consumes, releases and forgets on 6 bundles and their copies give the same answers and counts, across a reopen every 250 steps (250 calls counted, 349 refused as exhausted, 167 given back, 205 give-backs refused, 29 forgets)', async () => {
    const path = await journalPath();
    const rng = createRng('file-quota-store');
    const memory = new MemoryQuotaStore();
    let file = await FileQuotaStore.open(path);
    const tally: Record<string, number> = {};
    for (let i = 0; i < 1_000; i++) {
      if (i > 0 && i % 250 === 0) {
        await file.close();
        file = await FileQuotaStore.open(path);
      }
      const draw = { op: rng.next(), s: rng.pick(SUBJECTS), bound: rng.int(3), now: i * 1_000 };
      const expected = step(memory, draw);
      expect(await step(file, draw), `step ${i}`).toEqual(expected);
      const o = outcome(draw, expected);
      tally[o] = (tally[o] ?? 0) + 1;
      expect(KEYS.map((k) => file.used(k))).toEqual(KEYS.map((k) => memory.used(k)));
    }
    expect(file.size).toBe(memory.size);
    expect(tally).toEqual({
      'consume ok': 250,
      'consume exhausted': 349,
      'release ok': 167,
      'release refused': 205,
      forget: 29,
    });
    await file.close();
  });
});

describe('FileQuotaStore keeps what it counted', () => {
  it('a journal left by a store never closed (a crash) holds every call: 7 of a 10-call bundle, 1 given back, 2 taken by a copy', async () => {
    const path = await journalPath();
    const store = await FileQuotaStore.open(path);
    const bundle = subject('t', 10);
    for (let i = 0; i < 7; i++) await store.consume(bundle, 0);
    await store.release(bundle, undefined);
    await store.consume(subject('t', 10, [2]), 0);
    const crashed = `${path}.crashed`;
    await copyFile(path, crashed);
    await store.close();

    const reopened = await FileQuotaStore.open(crashed);
    expect(bundle.quotas.map((q) => reopened.used(q.key))).toEqual([8]);
    expect(await reopened.consume(bundle, 0)).toEqual({ ok: true, remaining: 1 });
    expect(await reopened.consume(bundle, 0)).toEqual({ ok: true, remaining: 0 });
    expect(await reopened.consume(bundle, 0)).toEqual({
      ok: false,
      reason: 'exhausted',
      key: 't:q10',
      limit: 10,
      used: 10,
    });
    await reopened.close();
  });

  it('a last line cut short (the process died writing it) is dropped; a bad line before it is refused, naming it', async () => {
    const path = await journalPath();
    const store = await FileQuotaStore.open(path);
    await store.consume(subject('t', 5), 0);
    await store.consume(subject('t', 5), 0);
    await store.close();
    await appendFile(path, '{"t":"t","used":{"t:q5":');
    const torn = await FileQuotaStore.open(path);
    expect(torn.used('t:q5')).toBe(2);
    await torn.close();

    await writeFile(path, `not json\n${await readFile(path, 'utf8')}`);
    await expect(FileQuotaStore.open(path)).rejects.toThrow(
      `quota counters ${path}: line 1 is not a record of it, so what it held is unknown; ` +
        'restore the file from a backup, or move it away to start without it',
    );
  });

  it('is refused to a second opener while the first has it open', async () => {
    const path = await journalPath();
    const store = await FileQuotaStore.open(path);
    await expect(FileQuotaStore.open(path)).rejects.toMatchObject({ code: 'file_locked' });
    await store.close();
  });

  it('rewrites its journal as it grows: 10,000 calls on one token at once leave a journal of 3,227 bytes (floor 4,096); an expired token is dropped at the rewrite', async () => {
    const path = await journalPath();
    let store = await FileQuotaStore.open(path, { compactFloorBytes: 4_096 });
    store.consume(subject('old', 5, [], 1_000), 0);
    const big = subject('big', 1_000_000);
    // All at once: they are written together, and the rewrites due on the way take their place.
    await Promise.all(Array.from({ length: 10_000 }, () => store.consume(big, 2_000)));
    expect((await stat(path)).size).toBe(3_227);
    await store.close();
    store = await FileQuotaStore.open(path);
    expect([store.used('big:q1000000'), store.used('old:q5')]).toEqual([10_000, 0]);
    expect(await readFile(path, 'utf8')).toBe(
      '{"t":"big","u":1000000000000,"used":{"big:q1000000":10000},"back":{}}\n',
    );
    await store.close();
  });
});
