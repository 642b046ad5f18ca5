/**
 * What a crash or a damaged file leaves, and what the registry makes of it:
 * a torn last line (a write never acknowledged) is ignored with a warning and
 * cut off; a damaged line before the end stops the start with a
 * `corrupt_store` error naming the file and line; a crash between a
 * compaction's snapshot and its journal cut replays only the lines the
 * snapshot lacks; a failed write is answered 503 and changes nothing.
 */
import { appendFile, copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { JsonFileRegistryStore, createRegistryApp, signListing } from '../../services/registry/index.js';
import { listingOf } from '../security/registry-helpers.js';
import { KEYS, openOn, snapshotAt, urlOf, useTempDirs, writes } from './journal-helpers.js';

const tempDir = useTempDirs();

/** A registry on a file store in a new directory, with three listings registered (journal lines 1 to 3). */
async function threeListed() {
  const dir = await tempDir();
  const file = join(dir, 'registry.json');
  const clock = new VirtualClock();
  const store = new JsonFileRegistryStore(file);
  const registry = await openOn(store, clock);
  const w = writes(registry, clock);
  const ids = [
    await w.register(KEYS.seller, 1),
    await w.register(KEYS.seller, 2),
    await w.register(KEYS.seller, 3),
  ];
  return { dir, file, journal: `${file}.journal`, clock, store, registry, w, ids };
}

describe('a torn last journal line', () => {
  it('is ignored with a warning naming the file and its size, and cut off before the next line is written', async () => {
    const m = await threeListed();
    await m.store.close(); // the registry is gone (its lock given up), as after a crash
    await appendFile(m.journal, '{"seq":4,"change":{"op":"put","listing":{"id":"ab');
    const logs: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

    const store = new JsonFileRegistryStore(m.file);
    const reopened = await openOn(store, m.clock, logger);

    expect(reopened.all()).toEqual(m.registry.all());
    expect(logs.map((l) => [l.level, l.msg])).toEqual([
      [
        40,
        `${m.journal} ends in an incomplete line (49 bytes: a write cut short, never acknowledged); it is ignored and cut off before the next write`,
      ],
    ]);
    const w = writes(reopened, m.clock);
    const fourth = await w.register(KEYS.seller, 4);
    const lines = (await readFile(m.journal, 'utf8')).split('\n');
    expect(lines.map((l) => (l ? (JSON.parse(l) as { seq: number }).seq : ''))).toEqual([1, 2, 3, 4, '']);
    await store.close();
    const again = await openOn(new JsonFileRegistryStore(m.file), m.clock);
    expect(again.all().map((l) => l.id)).toEqual([...m.ids, fourth].sort());
  });
});

describe('a damaged journal line before the end', () => {
  const damaged: [string, string, string][] = [
    ['not JSON', '{"seq":2,"change":', `not JSON (Unexpected end of JSON input)`],
    [
      'JSON that is not a change',
      '{"seq":2,"change":{"op":"rename","id":"ab"}}',
      'not a journaled change (change.op: unknown op "rename"; expected put | health | remove | rate | prune_ratings | dispute_rating)',
    ],
    [
      'a change out of order',
      '{"seq":3,"change":{"op":"prune_ratings","before":0}}',
      'change 3 where 2 comes next',
    ],
  ];
  it.each(damaged)(
    '%s: stops the start with corrupt_store naming the file, the line and what to do',
    async (_, bad, what) => {
      const m = await threeListed();
      await m.store.close();
      const lines = (await readFile(m.journal, 'utf8')).split('\n');
      lines[1] = bad;
      await writeFile(m.journal, lines.join('\n'));

      const opened = openOn(new JsonFileRegistryStore(m.file), m.clock);

      await expect(opened).rejects.toThrow(LabError);
      await expect(opened).rejects.toMatchObject({
        code: 'corrupt_store',
        message:
          `line 2 of ${m.journal} is ${what}: the journal is damaged before its end, so the changes from there on ` +
          'cannot be trusted. Restore it from a backup, or delete line 2 and every line after it to start from ' +
          'the changes before it (losing the later ones)',
      });
    },
  );
});

describe('a crash between a compaction writing its snapshot and cutting the journal', () => {
  it('leaves a snapshot of changes 1-5 and a journal of 1-7: a reopened registry applies only 6 and 7', async () => {
    const m = await threeListed();
    // Change 4 rates listing 2, change 5 removes listing 1: applied twice, the rating would count twice.
    expect(await m.w.rate(m.ids[1]!, KEYS.seller, KEYS.a, 1, 3)).toMatchObject({ ok: true });
    await m.clock.advance(1);
    await m.w.remove(KEYS.seller, m.ids[0]!);
    const image = await tempDir();
    await copyFile(m.journal, join(image, 'registry.json.journal'));
    await m.registry.flush(); // the snapshot of changes 1-5; the live journal is cut
    await copyFile(m.file, join(image, 'registry.json'));
    expect((await snapshotAt(m.file))!.seq).toBe(5);
    // Change 6 rates listing 2 again, change 7 registers listing 4.
    expect(await m.w.rate(m.ids[1]!, KEYS.seller, KEYS.b, 2, 5)).toMatchObject({ ok: true });
    await m.w.register(KEYS.seller, 4);
    // The journal as the compaction had not cut it yet: lines 1-5, which the snapshot covers, then 6 and 7.
    await appendFile(join(image, 'registry.json.journal'), await readFile(m.journal));

    const reopened = await openOn(new JsonFileRegistryStore(join(image, 'registry.json')), m.clock);

    expect(reopened.all()).toEqual(m.registry.all());
    expect(reopened.get(m.ids[1]!)!.rating).toEqual({ average: 4, count: 2, paidMsat: 20_000 });
    expect(reopened.size).toBe(3);
  });
});

describe('a journal write that fails', () => {
  it('is answered 503 store_unavailable and changes nothing: the next change is journaled as change 1, and a reopened registry holds only it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'data', 'registry.json');
    const clock = new VirtualClock();
    const store = new JsonFileRegistryStore(file);
    const registry = await openOn(store, clock);
    const app = createRegistryApp(registry);
    const post = async (n: number) => {
      const signed = await signListing(listingOf(KEYS.seller, urlOf(n)), KEYS.seller.signer, clock.now());
      const res = await app.request('/listings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(signed),
      });
      return [res.status, ((await res.json()) as { error?: string }).error];
    };
    // The data directory (holding the store's lock) moved aside, a file in its place.
    await rename(join(dir, 'data'), join(dir, 'aside'));
    await writeFile(join(dir, 'data'), 'a file where the directory should be');

    expect(await post(1)).toEqual([503, 'store_unavailable']);
    expect(registry.size).toBe(0);
    await rm(join(dir, 'data'));
    await rename(join(dir, 'aside'), join(dir, 'data'));
    expect(await post(2)).toEqual([201, undefined]);

    const lines = (await readFile(`${file}.journal`, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1]);
    await store.close();
    const reopened = await openOn(new JsonFileRegistryStore(file), clock);
    expect(reopened.all().map((l) => l.url)).toEqual([urlOf(2)]);
    expect(reopened.all()).toEqual(registry.all());
  });
});
