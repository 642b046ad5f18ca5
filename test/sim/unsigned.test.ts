import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { createWorld } from '../../sim/market/worlds.js';
import { createRng } from '../../infra/random.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

const unsigned = () =>
  loadScenario('quickstart', { overrides: { 'network.invoices': 'unsigned' }, checks: scenarioChecks });

describe('network.invoices: unsigned', () => {
  it('records the setting in summary.json and otherwise gives the signed run quickstart golden summary', async () => {
    const { summary } = await runScenario(unsigned(), { seed: 1 });
    const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Record<
      string,
      unknown
    >;
    const { invoices, scenarioHash, ...rest } = summary;
    expect(invoices).toBe('unsigned');
    expect(scenarioHash).not.toBe(golden.scenarioHash);
    const { scenarioHash: _h, ...goldenRest } = golden;
    expect(JSON.parse(JSON.stringify(rest))).toEqual(goldenRest);
  }, 600_000);

  it('is refused for the regtest backend, naming the setting', async () => {
    await expect(createWorld('regtest', unsigned(), createRng(1), '/nonexistent.json')).rejects.toThrow(
      'network.invoices: unsigned is for the embedded network only (LND always signs); remove it for --backend regtest',
    );
  });
});
