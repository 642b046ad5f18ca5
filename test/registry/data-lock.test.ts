/**
 * One registry per data file. Two registries on one file each numbered their
 * journal lines from their own count: both answered 201, the journal held
 * two changes 1, and a restart either refused the damaged journal or lost an
 * acknowledged registration. The file store now takes the file's lock
 * (`<file>.lock`, infra/file-lock.ts) when it loads and gives it up when it
 * closes; the CLI says so in one line naming --data and the holder, exit 1.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { JsonFileRegistryStore, RegistryClient } from '../../services/registry/index.js';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';
import { listing, signer } from './listing-fixture.js';

const REGISTRY = 'services/registry/cli.ts';
const dirs: string[] = [];
afterAll(async () => {
  killStartedClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function dataFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-registry-lock-'));
  dirs.push(dir);
  return join(dir, 'registry.json');
}

describe('a registry data file in use', () => {
  it('refuses a second store of it with file_locked naming the file and this process; once the first closes, a new store opens it', async () => {
    const file = await dataFile();
    const first = new JsonFileRegistryStore(file);
    expect(await first.load()).toBeUndefined();

    await expect(new JsonFileRegistryStore(file).load()).rejects.toMatchObject({
      code: 'file_locked',
      message:
        `registry data file ${file} is in use by process ${process.pid} (this one): only one writer at a time; ` +
        'stop that process or use another file (a lock left by a crash is taken over)',
    });
    await first.close();
    const next = new JsonFileRegistryStore(file);
    expect(await next.load()).toBeUndefined();
    await next.close();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('a second registry process on the same --data exits 1 with one line naming --data and the first one; after the first stops, a new one opens the file with its listing', async () => {
    const data = await dataFile();
    const args = ['--port', '0', '--data', data, '--probe-interval-ms', '0', '--lab'];
    const first = startCli(REGISTRY, args);
    const [, url] = await first.waitFor(/^registry listening on (http:\/\/\S+) /m);
    const client = new RegistryClient({ baseUrl: url!, fetch: (r) => fetch(r), clock: systemClock });
    const registered = await client.register(listing, signer);
    if (!registered.ok) throw new Error(registered.message);

    const second = await runCli(REGISTRY, args, 20_000);

    expect([second.code, second.stdout, second.stderr]).toEqual([
      1,
      '',
      `--data ${data} cannot be used: registry data file ${data} is in use by process ${first.child.pid}: ` +
        'only one writer at a time; stop that process or use another file (a lock left by a crash is taken over)\n',
    ]);
    first.child.kill('SIGTERM');
    expect(await first.exited()).toBe(0);
    const third = startCli(REGISTRY, args);
    const [, again] = await third.waitFor(/^registry listening on (http:\/\/\S+) /m);
    expect((await fetch(`${again}/listings/${registered.listing.id}`)).status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exited()).toBe(0);
  }, 60_000);
});
