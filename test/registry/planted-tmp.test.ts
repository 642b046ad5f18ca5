/**
 * The registry's snapshot and journal are replaced through a temporary file
 * beside them. It was `<file>.tmp`, opened with a call that follows a symbolic
 * link: whoever could create names in the data directory planted
 * `registry.json.tmp` -> a file of the registry's user, and the next
 * snapshot was written into that file (and the link renamed over the data
 * file). The replacement now goes through infra/durable-file.ts: a new file
 * created exclusively under a random name, never an existing file or link.
 */
import { lstat, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonFileRegistryStore, type RegistryData } from '../../services/registry/index.js';
import { JournalFile } from '../../services/registry/journal-file.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A data directory with a victim file and a link planted at `<name>.tmp` pointing at it. */
async function planted(name: string): Promise<{ dir: string; file: string; victim: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-registry-tmp-'));
  dirs.push(dir);
  const victim = join(dir, 'victim');
  await writeFile(victim, 'the victim file\n');
  await symlink(victim, join(dir, `${name}.tmp`));
  return { dir, file: join(dir, name), victim };
}

const DATA: RegistryData = {
  version: 2,
  seq: 3,
  listings: [],
  ratings: [],
  ratingSums: [],
  tombstones: [{ id: 'ab'.repeat(16), signedAt: 7 }],
};

describe('a symbolic link planted at the temporary name of a registry file', () => {
  it('a snapshot is not written through <data>.tmp: the victim keeps its text, the data file is a new regular file (0644 under umask 022), the link is left as it was', async () => {
    const { dir, file, victim } = await planted('registry.json');
    const umask = process.umask(0o022);
    try {
      const store = new JsonFileRegistryStore(file);
      expect(await store.load()).toBeUndefined();
      await store.save(DATA);
      await store.close();
    } finally {
      process.umask(umask);
    }
    expect(await readFile(victim, 'utf8')).toBe('the victim file\n');
    const st = await lstat(file);
    expect([st.isFile(), st.mode & 0o777]).toEqual([true, 0o644]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(DATA);
    expect(await readlink(`${file}.tmp`)).toBe(victim);
    expect((await readdir(dir)).sort()).toEqual(['registry.json', 'registry.json.tmp', 'victim']);
  });

  it('a journal rewrite is not written through <journal>.tmp: the victim keeps its text, the journal holds the new lines', async () => {
    const { dir, file, victim } = await planted('registry.json.journal');
    const journal = new JournalFile(file);
    await journal.replace('{"seq":4}\n');
    expect(await readFile(victim, 'utf8')).toBe('the victim file\n');
    expect((await lstat(file)).isFile()).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('{"seq":4}\n');
    expect(await readlink(`${file}.tmp`)).toBe(victim);
    expect((await readdir(dir)).sort()).toEqual([
      'registry.json.journal',
      'registry.json.journal.tmp',
      'victim',
    ]);
  });
});
