/**
 * What one change costs to save does not depend on what the registry holds:
 * the change's journal line, the snapshot left as it was.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { JsonFileRegistryStore, emptyRegistryData } from '../../services/registry/index.js';
import { KEYS, openOn, syntheticListings, useTempDirs, writes } from './journal-helpers.js';

const tempDir = useTempDirs();

describe('bytes written per change', () => {
  it('a registration journals one 423-byte line at 10 listings and at 10,000, and leaves the snapshot as it was', async () => {
    const written: { listings: number; journalBytes: number; snapshotUnchanged: boolean }[] = [];
    for (const count of [10, 10_000]) {
      const clock = new VirtualClock();
      const file = join(await tempDir(), 'registry.json');
      await new JsonFileRegistryStore(file).save({
        ...emptyRegistryData(),
        listings: syntheticListings(KEYS.other, count, clock.now()),
      });
      const before = await stat(file);
      const registry = await openOn(new JsonFileRegistryStore(file), clock);

      await writes(registry, clock).register(KEYS.seller, 1);

      const after = await stat(file);
      written.push({
        listings: registry.size - 1,
        journalBytes: (await stat(`${file}.journal`)).size,
        snapshotUnchanged: after.size === before.size && after.mtimeMs === before.mtimeMs,
      });
    }
    expect(written).toEqual([
      { listings: 10, journalBytes: 423, snapshotUnchanged: true },
      { listings: 10_000, journalBytes: 423, snapshotUnchanged: true },
    ]);
  });
});
