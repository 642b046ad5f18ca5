/**
 * The directories `lockFile` (infra/file-lock.ts) makes for a lock. It made
 * them with the umask's default mode whatever they held: quota counters opened
 * in a new directory got a 0755 one (anyone may list it) where private-file's
 * rule is 0700. A lock's directories are now 0700 unless its caller keeps
 * files meant for others to read there (a run's --out, a registry's data),
 * which keep the umask's default.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockFile } from '../../infra/file-lock.js';
import { lockOutDir } from '../../infra/out-dir-lock.js';
import { FileQuotaStore } from '../../services/paywall/file-quota-store.js';
import { JsonFileRegistryStore } from '../../services/registry/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const mode = async (dir: string) => ((await stat(dir)).mode & 0o777).toString(8);

describe('the directories a lock makes', () => {
  it('under umask 022: a lock of its own and quota counters get 0700 directories, each new parent too; an --out and a registry data file get 0755 ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'l402-lock-dirs-'));
    dirs.push(root);
    const umask = process.umask(0o022);
    try {
      const own = await lockFile(join(root, 'cache', 'l402', 'tokens.json'), 'token file');
      const quotas = await FileQuotaStore.open(join(root, 'state', 'seller', 'quotas.jsonl'));
      const out = await lockOutDir(join(root, 'runs', 'quickstart-1'), 'run');
      const registry = new JsonFileRegistryStore(join(root, 'data', 'registry.json'));
      await registry.load();
      const modes = Object.fromEntries(
        await Promise.all(
          ['cache', 'cache/l402', 'state', 'state/seller', 'runs', 'runs/quickstart-1', 'data'].map(
            async (d) => [d, await mode(join(root, d))],
          ),
        ),
      );
      await Promise.all([own.release(), quotas.close(), out.release(), registry.close()]);
      expect(modes).toEqual({
        cache: '700',
        'cache/l402': '700',
        state: '700',
        'state/seller': '700',
        runs: '755',
        'runs/quickstart-1': '755',
        data: '755',
      });
    } finally {
      process.umask(umask);
    }
  });
});
