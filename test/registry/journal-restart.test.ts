/**
 * A registry saves each change as a journal line and loads by applying the
 * lines to its last snapshot with the same code that made the changes: a
 * reopened registry holds exactly what it held.
 */
import { copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { JsonFileRegistryStore, MemoryRegistryStore } from '../../services/registry/index.js';
import { KEYS, openOn, snapshotAt, useTempDirs, writes } from './journal-helpers.js';

const tempDir = useTempDirs();
const WEEK_AND_SKEW_MS = 7 * 86_400_000 + 10 * 60_000;
const payers = [KEYS.a, KEYS.b, KEYS.c];

/** 122 changes of every kind on a fresh registry of `store`: registrations, updates, ratings, health, removals, and both prunes. */
async function manyChanges(store: JsonFileRegistryStore | MemoryRegistryStore, clock: VirtualClock) {
  const registry = await openOn(store, clock);
  const w = writes(registry, clock);
  const owner = (n: number) => (n % 2 ? KEYS.other : KEYS.seller);
  const ids: string[] = [];
  for (let n = 0; n < 40; n++) ids.push(await w.register(owner(n), n));
  await clock.advance(1);
  for (let n = 0; n < 20; n++) await w.update(owner(n), n, 20_000 + n);
  for (let i = 0; i < 30; i++)
    expect(await w.rate(ids[i % 10]!, owner(i % 10), payers[i % 3]!, i + 1, 1 + (i % 5))).toMatchObject({
      ok: true,
    });
  for (let i = 0; i < 20; i++) await w.health(ids[i]!, i % 3 !== 0);
  await clock.advance(1);
  for (let n = 30; n < 38; n++) await w.remove(owner(n), ids[n]!);
  await clock.advance(WEEK_AND_SKEW_MS + 1);
  // Refused (a node cannot rate itself), after dropping the week-old records: that drop is a change too.
  expect(await w.rate(ids[0]!, KEYS.seller, KEYS.seller, 100, 5)).toMatchObject({ code: 'self_rating' });
  await w.remove(owner(38), ids[38]!); // drops the 8 old tombstones
  expect(await w.rate(ids[1]!, KEYS.other, KEYS.a, 101, 4)).toMatchObject({ ok: true });
  await w.register(owner(30), 30);
  return registry;
}

describe('a registry reopened from its journal', () => {
  it('after 122 changes of every kind, journaled only, holds exactly the listings, rating records, sums and tombstones it held', async () => {
    const [live, image] = [await tempDir(), await tempDir()];
    const clock = new VirtualClock();
    const registry = await manyChanges(new JsonFileRegistryStore(join(live, 'registry.json')), clock);
    expect(existsSync(join(live, 'registry.json'))).toBe(false);
    // The files as a crash or a kill would leave them now: the journal alone.
    await copyFile(join(live, 'registry.json.journal'), join(image, 'registry.json.journal'));

    const reopened = await openOn(new JsonFileRegistryStore(join(image, 'registry.json')), clock);

    expect(reopened.all()).toEqual(registry.all());
    await registry.flush();
    await reopened.flush();
    const before = (await snapshotAt(join(live, 'registry.json')))!;
    expect(await snapshotAt(join(image, 'registry.json'))).toEqual(before);
    expect({
      seq: before.seq,
      listings: before.listings.length,
      ratings: before.ratings.map((r) => [r.score, r.payer]),
      rated: before.ratingSums!.length,
      tombstones: before.tombstones.length,
    }).toEqual({ seq: 122, listings: 32, ratings: [[4, KEYS.a.pubkey]], rated: 10, tombstones: 1 });
  });

  it('MemoryRegistryStore journals each change as a line, its snapshot untouched, and a reopening on the same instance holds the same state', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRegistryStore();
    const registry = await manyChanges(store, clock);

    const saved = (await store.load())!;
    expect([saved.journal.length, saved.listings.length, saved.seq]).toEqual([122, 0, undefined]);
    const reopened = await openOn(store, clock);
    expect(reopened.all()).toEqual(registry.all());
    await reopened.flush();
    const compacted = (await store.load())!;
    expect([compacted.journal.length, compacted.listings.length, compacted.seq]).toEqual([0, 32, 122]);
  });
});
