import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../sim/commands/validate-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { checksFor } from '../../sim/market/checks.js';
import { loadScenarioText } from '../../sim/scenario/load.js';

const unsignedMarket = `
name: unsigned-market
durationSec: 60
network: { invoices: unsigned }
sellers:
  - name: weather
    archetype: data-feed
    price: { kind: fixed, msat: 2000 }
buyers:
  - name: shopper
    policy: { name: max_per_request, params: { maxMsat: 5000 } }
    budgetMsat: 100000
    arrivals: { process: fixed, everySec: 10 }
    tasks: [{ capability: 'anomalies:read', value: { dist: fixed, msat: 9000 } }]
`;

/** The issue validation reports: the same words as the regtest world's own refusal (sim/market/worlds.ts). */
const issues = [
  {
    path: 'network.invoices',
    message: 'unsigned is for the embedded network only (LND always signs); remove it for --backend regtest',
  },
];

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

describe('network.invoices: unsigned is checked against the backend before a run', () => {
  it('validation for the regtest backend refuses it at network.invoices, saying to remove it', () => {
    expect(() => loadScenarioText(unsignedMarket, { checks: checksFor('regtest') })).toThrow(
      expect.objectContaining({ code: 'invalid_scenario', issues }),
    );
  });

  it('validation for the embedded backend accepts it', () => {
    expect(loadScenarioText(unsignedMarket, { checks: checksFor('embedded') }).network.invoices).toBe(
      'unsigned',
    );
  });

  it('sim validate --backend regtest refuses the file with that issue; without --backend it accepts it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-unsigned-')), 'unsigned.yaml');
    writeFileSync(file, unsignedMarket);
    await expect(validateCommand([file, '--backend', 'regtest'], io)).rejects.toMatchObject({
      code: 'invalid_scenario',
      issues,
    });
    expect(await validateCommand([file], io)).toBe(0);
  });
});
