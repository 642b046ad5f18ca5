/**
 * The seller and the registry say what they did as they stop on SIGTERM or
 * SIGINT: the seller whether its listing left the registry, the registry
 * where its listings are (or that they are gone).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStartedClis, startCli, type StartedCli } from './run-cli.js';

const SELLER = 'services/sellers/cli.ts';
const REGISTRY = 'services/registry/cli.ts';
const dirs: string[] = [];
afterAll(async () => {
  killStartedClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function registry(args: string[]): Promise<{ cli: StartedCli; url: string }> {
  const cli = startCli(REGISTRY, ['--port', '0', '--probe-interval-ms', '0', '--lab', ...args]);
  const [, url] = await cli.waitFor(/^registry listening on (http:\/\/\S+) /m);
  return { cli, url: url! };
}

async function registeredSeller(registryUrl: string): Promise<{ cli: StartedCli; id: string }> {
  const cli = startCli(SELLER, ['--archetype', 'compute', '--port', '0', '--registry', registryUrl]);
  const [, id] = await cli.waitFor(/^registered as ([0-9a-f]{32}) /m);
  return { cli, id: id! };
}

/** The last line `cli` printed on `stream` once it exited after `signal`, and its exit code. */
async function stopped(cli: StartedCli, signal: NodeJS.Signals, stream: 'out' | 'err' = 'out') {
  cli.child.kill(signal);
  const code = await cli.exited();
  return { code, last: (stream === 'out' ? cli.out() : cli.err()).trimEnd().split('\n').at(-1) };
}

describe('stopping the seller and registry CLIs', () => {
  it('the seller says its listing was removed from the registry, and the registry where it keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stop-lines-'));
    dirs.push(dir);
    const data = join(dir, 'registry.json');
    const reg = await registry(['--data', data]);
    const [leaving, staying] = [await registeredSeller(reg.url), await registeredSeller(reg.url)];
    expect(await stopped(leaving.cli, 'SIGTERM')).toEqual({
      code: 0,
      last: `stopped; listing ${leaving.id} removed from ${reg.url}`,
    });
    expect(leaving.cli.err()).toBe('');
    expect((await fetch(`${reg.url}/listings/${leaving.id}`)).status).toBe(404);
    staying.cli.child.kill('SIGKILL'); // no chance to unregister: its listing stays
    await staying.cli.exited();
    expect(await stopped(reg.cli, 'SIGINT')).toEqual({
      code: 0,
      last: `registry stopped; 1 listing kept in ${data}`,
    });
  }, 60_000);

  it('the seller says it could not remove its listing when the registry is gone, and a registry without --data that its listings are forgotten', async () => {
    const reg = await registry([]);
    const seller = await registeredSeller(reg.url);
    expect(await stopped(reg.cli, 'SIGTERM')).toEqual({
      code: 0,
      last: 'registry stopped; 1 listing forgotten (no --data)',
    });
    expect(await stopped(seller.cli, 'SIGINT', 'err')).toEqual({
      code: 0,
      last: `stopped; removing listing ${seller.id} from ${reg.url} failed: unreachable: registry unreachable: fetch failed`,
    });
  }, 60_000);

  it('a seller without a registry says it stopped', async () => {
    const seller = startCli(SELLER, ['--archetype', 'data-feed', '--port', '0']);
    await seller.waitFor(/^manifest: /m);
    expect(await stopped(seller, 'SIGTERM')).toEqual({ code: 0, last: 'stopped' });
  }, 30_000);
});
