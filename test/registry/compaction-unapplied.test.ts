/**
 * The registry applies a change once its journal line is durable, so a
 * compaction may take the registry's state between the two: the line is
 * in the journal, its change not yet in the snapshot. The journal the
 * compaction leaves must keep that line.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  JsonFileRegistryStore,
  MemoryRegistryStore,
  type JournalEntry,
  type RegistryData,
  type RegistryStore,
} from '../../services/registry/index.js';
import { KEYS, openOn, useTempDirs, writes } from './journal-helpers.js';

const tempDir = useTempDirs();

/** Makes `store` compact right after each append succeeds, before the registry has applied what it appended. */
function compactingAfterEachAppend<S extends RegistryStore>(store: S): S {
  const append = store.append.bind(store);
  store.append = async (entries: readonly JournalEntry[], state: () => RegistryData) => {
    await append(entries, state);
    await store.compact(state);
  };
  return store;
}

const stores: [string, () => Promise<{ live: RegistryStore; reopen: () => Promise<RegistryStore> }>][] = [
  [
    'JsonFileRegistryStore',
    async () => {
      const file = join(await tempDir(), 'registry.json');
      const live = compactingAfterEachAppend(new JsonFileRegistryStore(file));
      return {
        live,
        // The registry stops (its lock given up, no last compaction) and another opens the file.
        reopen: async () => (await live.close(), new JsonFileRegistryStore(file)),
      };
    },
  ],
  [
    'MemoryRegistryStore',
    async () => {
      const live = compactingAfterEachAppend(new MemoryRegistryStore());
      return { live, reopen: async () => live };
    },
  ],
];

describe('a compaction that takes the state between a line journaled and its change applied', () => {
  it.each(stores)(
    '%s: keeps the line in the journal, so a reopened registry holds every change',
    async (_, make) => {
      const { live, reopen } = await make();
      const clock = new VirtualClock();
      const registry = await openOn(live, clock);
      const w = writes(registry, clock);
      for (let n = 1; n <= 3; n++) await w.register(KEYS.seller, n);

      const reopened = await openOn(await reopen(), clock);

      expect(registry.size).toBe(3);
      expect(reopened.all()).toEqual(registry.all());
    },
  );
});
