/**
 * `npm run seller -- --state-dir DIR`: the seller keeps its root key in DIR across restarts, a second
 * seller on DIR is refused while the first runs, and a key others may read stops it from starting.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStateDir } from '../../services/sellers/cli-run.js';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';

const SELLER = 'services/sellers/cli.ts';
const dirs: string[] = [];
afterAll(async () => {
  killStartedClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'seller-state-cli-'));
  dirs.push(d);
  return join(d, 'state');
}

const started = (dir: string) => {
  const cli = startCli(SELLER, ['--archetype', 'compute', '--port', '0', '--state-dir', dir]);
  return { cli, up: cli.waitFor(/^state: .*$/m) };
};

describe('seller CLI --state-dir', () => {
  it('refuses a second seller on the directory while the first runs (exit 1, naming its pid), and the first, restarted, finds its root key (mode 0600) again', async () => {
    const dir = await stateDir();
    const first = started(dir);
    expect((await first.up)[0]).toBe(`state: ${dir}`);
    const key = await readFile(join(dir, 'root-key'), 'utf8');
    expect([key, (await stat(join(dir, 'root-key'))).mode & 0o777]).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}\n$/),
      0o600,
    ]);

    const second = await runCli(SELLER, ['--archetype', 'compute', '--port', '0', '--state-dir', dir]);
    expect(second).toMatchObject({
      code: 1,
      stderr:
        `seller failed: seller state directory ${dir} is in use by process ${first.cli.child.pid}: ` +
        'one seller per state directory; stop that seller, or give this one its own directory (--state-dir)\n',
    });

    first.cli.child.kill('SIGTERM');
    expect(await first.cli.exited()).toBe(0);
    const again = started(dir);
    await again.up;
    expect(await readFile(join(dir, 'root-key'), 'utf8')).toBe(key);
    again.cli.child.kill('SIGTERM');
    expect(await again.cli.exited()).toBe(0);
  }, 60_000);

  it('refuses to start on a root key others may read (mode 0644): exit 1, saying how to fix it', async () => {
    const dir = await stateDir();
    const first = started(dir);
    await first.up;
    first.cli.child.kill('SIGTERM');
    await first.cli.exited();
    const key = join(dir, 'root-key');
    await chmod(key, 0o644);
    const r = await runCli(SELLER, ['--archetype', 'compute', '--port', '0', '--state-dir', dir]);
    expect(r).toMatchObject({
      code: 1,
      stderr:
        `seller failed: ${key} has mode 0644: others than its owner may use it, and whoever reads it can mint ` +
        `this seller's tokens; run chmod 600 ${key} (and if others did read it, remove the directory to start afresh)\n`,
    });
  }, 60_000);

  it.concurrent.each([
    { what: 'a file', at: (file: string) => file, why: 'a file is there' },
    { what: 'a path under a file', at: (file: string) => join(file, 'state'), why: 'a file is in its path' },
    {
      what: 'a path where no directory can be made',
      at: () => '/proc/x',
      why: 'no directory can be created in /proc',
    },
  ])(
    'refuses --state-dir naming $what: exit 2, saying to give a directory of its own',
    async ({ at, why }) => {
      const d = await mkdtemp(join(tmpdir(), 'seller-state-cli-'));
      dirs.push(d);
      const file = join(d, 'notes.txt');
      await writeFile(file, 'not a directory');
      const dir = at(file);
      const r = await runCli(SELLER, ['--archetype', 'compute', '--port', '0', '--state-dir', dir], 30_000);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr:
          `--state-dir ${dir} is not a directory you can use (${why}); give a directory of your own; ` +
          'run with --help for the options\n',
      });
    },
  );

  it('defaults to sellers/<node>/<name> beside a network.json, and to none on the embedded network', () => {
    expect(defaultStateDir('.regtest/network.json', 'seller-1', 'data-feed')).toBe(
      resolve('.regtest/sellers/seller-1/data-feed'),
    );
    expect(defaultStateDir('/srv/net/network.json', 'lnd/../x', 'compute')).toBe(
      '/srv/net/sellers/lnd____x/compute',
    );
    expect(defaultStateDir('embedded', undefined, 'compute')).toBe(undefined);
  });
});
