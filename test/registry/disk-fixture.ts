/**
 * A registry server on a real file store whose disk a test can make fail and mend: the disk fails
 * because a file stands where the data folder should be, so every write the store tries fails.
 */
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import { startRegistryServer } from '../../services/registry/index.js';
import { publicLookup } from './lookup-fixture.js';

/** Starts a registry server on `clock` with its file store in `<dir>/data` (every name resolving to a public address); the caller closes `server`. */
export async function startRegistryOnDisk(dir: string, clock: VirtualClock) {
  const data = join(dir, 'data');
  const file = join(data, 'registry.json');
  const server = await startRegistryServer({
    clock,
    network: 'regtest',
    dataFile: file,
    probeIntervalMs: 0,
    lookup: publicLookup,
  });
  return {
    server,
    file,
    /** Puts a file where the data folder is (the folder, if any, moved aside): every write fails. */
    async breakDisk() {
      if (existsSync(data)) await rename(data, `${data}.aside`);
      await writeFile(data, 'a file where the data folder should be');
    },
    /** Removes that file and moves the data folder back. */
    async mendDisk() {
      await rm(data);
      if (existsSync(`${data}.aside`)) await rename(`${data}.aside`, data);
    },
  };
}
