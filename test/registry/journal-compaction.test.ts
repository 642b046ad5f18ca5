/**
 * The journal is folded into a new snapshot once it outgrows the snapshot
 * (and a floor), and a snapshot written before the journal existed still
 * loads.
 */
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { JsonFileRegistryStore, type RegistryData } from '../../services/registry/index.js';
import { listingOf } from '../security/registry-helpers.js';
import {
  KEYS,
  WatchedFileStore,
  openCopy,
  openOn,
  snapshotAt,
  useTempDirs,
  writes,
} from './journal-helpers.js';

const tempDir = useTempDirs();
/** The journal line of registration `seq` in these tests: 422 bytes and the digits of its seq. */
const lineBytes = (seq: number) => 422 + String(seq).length;
const size = async (path: string) => (existsSync(path) ? (await stat(path)).size : 0);

describe('compaction', () => {
  it('runs when the journal passes the larger of the snapshot and the 4 KiB floor, and the state loaded is the same on both sides', async () => {
    const file = join(await tempDir(), 'registry.json');
    const journal = `${file}.journal`;
    const store = new WatchedFileStore(file, { compactFloorBytes: 4096 });
    const clock = new VirtualClock();
    const registry = await openOn(store, clock);
    const w = writes(registry, clock);
    const steps: { n: number; due: boolean; compacted: boolean }[] = [];
    for (let n = 1; n <= 40; n++) {
      const [journalBefore, snapshotBefore, compactions] = [
        await size(journal),
        await size(file),
        store.compactions.length,
      ];
      await w.register(KEYS.seller, n);
      await store.settled();
      const compacted = store.compactions.length > compactions;
      if (n === 1) expect(await size(journal)).toBe(lineBytes(1));
      steps.push({ n, due: journalBefore + lineBytes(n) > Math.max(snapshotBefore, 4096), compacted });
      if (compacted) {
        expect([existsSync(journal), (await snapshotAt(file))!.seq]).toEqual([false, n]);
        expect((await openCopy(file, await tempDir(), clock)).all()).toEqual(registry.all());
      }
    }
    // 10 lines pass the floor; 10 more pass it again (10 listings' snapshot is smaller); then 19 pass 20 listings' snapshot.
    expect(steps.filter((s) => s.compacted).map((s) => s.n)).toEqual([10, 20, 39]);
    expect(steps.filter((s) => s.due !== s.compacted)).toEqual([]);
    expect(await size(journal)).toBe(lineBytes(40));
    expect((await openCopy(file, await tempDir(), clock)).all()).toEqual(registry.all());
  });
});

describe('changes made while a compaction writes its snapshot', () => {
  it('are kept in the journal it leaves, and a reopened registry holds them', async () => {
    const file = join(await tempDir(), 'registry.json');
    const clock = new VirtualClock();
    const registry = await openOn(new JsonFileRegistryStore(file), clock);
    const w = writes(registry, clock);
    for (let n = 1; n <= 10; n++) await w.register(KEYS.seller, n);

    const flushed = registry.flush();
    await Promise.all([11, 12, 13, 14, 15].map((n) => w.register(KEYS.seller, n)));
    await flushed;

    const lines = (await readFile(`${file}.journal`, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([11, 12, 13, 14, 15]);
    expect((await openCopy(file, await tempDir(), clock)).all()).toEqual(registry.all());
    expect(registry.size).toBe(15);
  });
});

describe('a snapshot written before the journal', () => {
  const clock = new VirtualClock();
  const at = clock.now();
  const listing = {
    ...listingOf(KEYS.seller, 'http://old.test/v1/data'),
    id: 'ab'.repeat(16),
    createdAt: at,
    updatedAt: at,
    signedAt: at,
  };
  const record = {
    listingId: listing.id,
    paymentHash: 'cd'.repeat(32),
    score: 4,
    at,
    amountMsat: 10_000,
    payer: KEYS.a.pubkey,
  };
  const tombstones = [{ id: 'ef'.repeat(16), signedAt: at }];
  const old: Record<'version 1' | 'version 2', RegistryData> = {
    'version 1': { version: 1, listings: [listing], ratings: [record], tombstones },
    'version 2': {
      version: 2,
      listings: [listing],
      ratings: [record],
      ratingSums: [{ listingId: listing.id, weightedScoreMsat: '40000', paidMsat: '10000', count: 1 }],
      tombstones,
    },
  };

  it.each(Object.keys(old) as (keyof typeof old)[])(
    '%s, with no seq and no journal, loads; its first compaction writes version 2 with the seq of the changes after it',
    async (version) => {
      const file = join(await tempDir(), 'registry.json');
      await writeFile(file, JSON.stringify(old[version]));
      const rating = { average: 4, count: 1, paidMsat: 10_000 };

      const store = new JsonFileRegistryStore(file);
      const registry = await openOn(store, clock);

      expect(registry.all()).toEqual([{ ...listing, rating }]);
      const id = await writes(registry, clock).register(KEYS.seller, 1);
      await store.close(); // stopped without a compaction: the change is in the journal only
      const reopened = await openOn(new JsonFileRegistryStore(file), clock);
      expect(reopened.all()).toEqual(registry.all());
      await reopened.flush();
      const { listings, ...rest } = (await snapshotAt(file))!;
      expect(rest).toEqual({ ...old['version 2'], listings: undefined, seq: 1 });
      expect(listings.map((l) => [l.id, l.rating])).toEqual([
        [listing.id, rating],
        [id, undefined],
      ]);
    },
  );
});
