/**
 * What `npm run demo` runs: with no scenario, quickstart with a market long
 * enough to watch and act on; its --out as `sim run` names one; and the
 * scenario checks of the backend it runs on.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { parseDemoArgs } from '../../sim/live/demo-args.js';
import { prepareDemo, runLength, type LivePlan } from '../../sim/live/demo-setup.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The live plan `npm run demo -- …args` makes (nothing is built or written). */
async function plan(...args: string[]): Promise<LivePlan> {
  const p = await prepareDemo(parseDemoArgs(args), silentLogger);
  if (p.kind !== 'live') throw new Error('expected a live plan');
  return p;
}

describe('npm run demo with no scenario', () => {
  test('runs quickstart with 480 s of market at 2x and says it lasts about 4 min and the page stays up', async () => {
    const p = await plan();
    expect([p.scenario.name, p.scenario.durationSec, p.speed]).toEqual(['quickstart', 480, 2]);
    expect(runLength(p)).toBe(
      'quickstart: 480 s of market at 2x, about 4 min of wall time (then up to 15 s while the last purchases finish); the page stays up after the run ends',
    );
  });

  test('--set durationSec and --speed still win over the default run', async () => {
    const p = await plan('--set', 'durationSec=120', '--speed', '5');
    expect([p.scenario.durationSec, p.speed]).toEqual([120, 5]);
  });

  test('a named scenario, quickstart included, runs as its file says at 10x', async () => {
    const p = await plan('quickstart');
    expect([p.scenario.durationSec, p.speed]).toEqual([60, 10]);
    expect(runLength(p)).toBe(
      'quickstart: 60 s of market at 10x, about 6 s of wall time (then up to 3 s while the last purchases finish); the page stays up after the run ends',
    );
  });

  test('a replay plays at 10x unless told', () => {
    expect(parseDemoArgs(['--replay', 'runs/x']).speed).toBe(10);
  });
});

describe("the demo's default --out", () => {
  test('slugs a text seed as sim run does, so "../x" stays under runs/', async () => {
    const p = await plan('--seed', '../x');
    const hash = createHash('sha256').update('../x').digest('hex').slice(0, 8);
    expect(p.outDir).toBe(resolve('runs', `quickstart-..-x-${hash}-live`));
    expect(dirname(p.outDir)).toBe(resolve('runs'));
  });

  test('is runs/<scenario>-<seed>-live for an integer seed', async () => {
    expect((await plan('price-war', '--seed', '7')).outDir).toBe(resolve('runs', 'price-war-7-live'));
  });
});

describe('the demo on --backend regtest', () => {
  /** A network.json that parses (its node's files need not exist until the run starts). */
  function networkFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'demo-defaults-'));
    dirs.push(dir);
    const node = {
      name: 'alice',
      role: 'other',
      restUrl: 'https://127.0.0.1:1',
      tlsCertPath: 'tls.cert',
      macaroonPath: 'admin.macaroon',
      pubkey: `02${'a'.repeat(64)}`,
      p2p: '127.0.0.1:9735',
    };
    const file = join(dir, 'network.json');
    const desc = {
      version: 1,
      kind: 'native',
      network: 'regtest',
      createdAt: '2026-01-01T00:00:00Z',
      nodes: [node],
    };
    writeFileSync(file, JSON.stringify(desc));
    return file;
  }

  test("checks the scenario with the regtest backend's rules: an llm decider is accepted there", async () => {
    const llm = ['--set', 'buyers[0].decider.name=llm'];
    const p = await plan('quickstart', '--backend', 'regtest', '--network', networkFile(), ...llm);
    expect(p.scenario.buyers[0]!.decider.name).toBe('llm');
    await expect(plan('quickstart', ...llm)).rejects.toThrow(
      'buyers[0].decider.name: llm needs a model over a real socket',
    );
  });
});
