/**
 * A run whose market setup fails writes nothing: it left empty purchases.csv, tasks.csv and
 * events.jsonl (0 bytes) and no summary.json, having removed the previous run's outputs from
 * --out first. The failure here is real and one `sim validate` cannot know about: a reseller's
 * origin sells bundles too small for one of its slices. It buys from the listing with the cheapest
 * bundle that its search (`tier=bundle&sells=bundle`) returns, and a search of one listing
 * (`registry.searchLimit: 1`) returns one of two sellers whose bundles cost the same, 10 calls or 5:
 * the one whose listing id (a hash of its node's key and its URL) sorts first. Node keys are made
 * when the network is built: with seed 1 the search returns the seller of 5-call bundles, which
 * hold no 8-call slice, with seed 2 the one of 10-call bundles, and the file validates.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario, resolveScenarioPath } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { isLabError, LabError } from '../../infra/errors.js';
import { searchPricesMsat } from '../../sim/scenario/discovery.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const NO_SLICE =
  'activity "market setup" failed: reseller broker: its origin twin-feed-0 (the cheapest bundle of anomalies:read its search found) sells 5-call bundles, which hold no 8-call slice; set sliceCalls to at most 5';

/** A seller of 5-call bundles only, at the price of cheap-feed's 10-call bundle (16,000 msat). */
const TWIN = `  - name: twin-feed
    archetype: data-feed
    price: { kind: fixed, msat: 2000 }
    tiers: [{ kind: bundle, calls: 5, priceMsat: 16000 }]
`;

/** A reseller of anomalies:read bundles in 8-call slices, with one sub-agent. */
const BROKER = `resellers:
  - name: broker
    capability: anomalies:read
    sliceCalls: 8
    balanceMsat: 1000000
    subAgents:
      count: 1
      budgetMsat: 100000
      arrivals: { process: poisson, ratePerMin: 1 }
      value: { dist: fixed, msat: 5000 }
`;

/** quickstart (seed 1) with a search of one listing, twin-feed beside cheap-feed, and a reseller of 8-call slices. */
function failingText(): string {
  const quickstart = readFileSync(resolveScenarioPath('quickstart'), 'utf8');
  const text = quickstart
    .replace('registry: { searchLimit: 5 }', 'registry: { searchLimit: 1 }')
    .replace('  - name: mid-feed\n', `${TWIN}  - name: mid-feed\n`);
  return `${text}${BROKER}`;
}

function failingFile(): string {
  const file = join(tmp('setup-failure-file-'), 'failing.yaml');
  writeFileSync(file, failingText());
  return file;
}

/** Every file under `dir` with its bytes. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile())
      out[join(e.parentPath, e.name).slice(dir.length + 1)] = readFileSync(
        join(e.parentPath, e.name),
        'latin1',
      );
  return out;
}

describe('a run that fails at market setup', () => {
  it('the failing file validates: a search of one listing, two bundle sellers tied on bundle price, a reseller', () => {
    const scenario = loadScenario(failingFile(), { checks: scenarioChecks });
    expect(scenario.registry.searchLimit).toBe(1);
    expect(searchPricesMsat(scenario.sellers[0]!).bundle).toBe(16_000);
    expect(scenario.sellers.map((g) => [g.name, g.tiers])).toEqual([
      ['cheap-feed', [{ kind: 'single' }, { kind: 'bundle', calls: 10 }]],
      ['twin-feed', [{ kind: 'bundle', calls: 5, priceMsat: 16000 }]],
      ['mid-feed', [{ kind: 'single' }]],
      ['premium-feed', [{ kind: 'single' }]],
    ]);
    expect(scenario.resellers.map((g) => [g.name, g.sliceCalls])).toEqual([['broker', 8]]);
  });

  it('with seed 2 the same file sets up: the search returns the seller of 10-call bundles', async () => {
    const scenario = {
      ...loadScenario(failingFile(), { checks: scenarioChecks }),
      durationSec: 1,
      drainSec: 0,
    };
    const run = await runScenario(scenario, { seed: 2 });
    expect(run.meta.seed).toBe(2);
  });

  it('sim run creates no --out and says nothing was written', async () => {
    const out = join(tmp('setup-failure-'), 'out');
    const err = await runCommand([failingFile(), '--out', out], io).catch((e: unknown) => e);
    expect(isLabError(err, 'activity_failed')).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect((err as Error).message).toBe(`${NO_SLICE}; nothing was written (${out} is as it was)`);
  });

  it('leaves a previous run’s outputs in --out as they were', async () => {
    const out = join(tmp('setup-failure-again-'), 'out');
    expect(await runCommand(['quickstart', '--set', 'durationSec=5', '--no-png', '--out', out], io)).toBe(0);
    const before = contents(out);
    expect(Object.keys(before).sort()).toEqual([
      'events.jsonl',
      'meta.json',
      'purchases.csv',
      'report.html',
      'summary.json',
      'tasks.csv',
    ]);
    const err = await runCommand([failingFile(), '--out', out], io).catch((e: unknown) => e);
    expect(contents(out)).toEqual(before);
    expect((err as Error).message).toBe(`${NO_SLICE}; nothing was written (${out} is as it was)`);
  });

  it('runScenario with outDir, given a scenario that skips validation, writes nothing either', async () => {
    const quickstart = loadScenario('quickstart', { checks: scenarioChecks });
    const [first, ...rest] = quickstart.buyers;
    const scenario = { ...quickstart, buyers: [{ ...first!, budgetMsat: Number.MAX_SAFE_INTEGER }, ...rest] };
    const out = join(tmp('setup-failure-lib-'), 'out');
    const err = await runScenario(scenario, { outDir: out }).catch((e: unknown) => e);
    expect(existsSync(out)).toBe(false);
    // The buyer's default balance (budget + 10%), past a safe integer: `sim validate` refuses it.
    const buyerChannel =
      'activity "market setup" failed: capacityMsat must be a non-negative integer number of millisatoshis, got 9907919180215092';
    expect((err as Error).message).toBe(`${buyerChannel}; nothing was written (${out} is as it was)`);
  });

  it('a failure after setup closes the files with what they recorded and says so (no summary.json)', async () => {
    const out = join(tmp('setup-failure-later-'), 'out');
    const observe = (e: { kind: string }) => {
      if (e.kind === 'purchase') throw new LabError('observer_failed', 'the observer refused a purchase');
    };
    const scenario = loadScenario('quickstart', { checks: scenarioChecks });
    const err = await runScenario(scenario, { outDir: out, observe }).catch((e: unknown) => e);
    expect(isLabError(err, 'activity_failed')).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['events.jsonl', 'purchases.csv', 'tasks.csv']);
    expect(readFileSync(join(out, 'purchases.csv'), 'utf8')).toMatch(/^seq,/);
    expect(readFileSync(join(out, 'tasks.csv'), 'utf8')).toMatch(/^taskId,/);
    expect((err as Error).message).toBe(
      `activity "task bargain-1/0" failed: the observer refused a purchase; the records up to the failure are in ${out}/{purchases.csv,tasks.csv,events.jsonl}, with no summary.json`,
    );
  });
});
