import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../sim/commands/validate-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { checksFor } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioText } from '../../sim/scenario/load.js';

const llmEverywhere = `
name: llm-market
durationSec: 60
sellers:
  - name: weather
    archetype: data-feed
    price: { kind: fixed, msat: 2000 }
    negotiation: { negotiator: llm }
buyers:
  - name: shopper
    count: 1
    decider: { name: llm }
    negotiator: { name: llm }
    policy: { name: max_per_request, params: { maxMsat: 5000 } }
    budgetMsat: 100000
    arrivals: { process: fixed, everySec: 10 }
    tasks: [{ capability: 'anomalies:read', value: { dist: fixed, msat: 9000 } }]
`;

const WHY =
  'llm needs a model over a real socket, which the embedded backend cannot wait for (its virtual time would stall the task); run it with --backend regtest (and OPENAI_API_KEY), ';
const issues = [
  {
    path: 'buyers[0].decider.name',
    message: `${WHY}or pick cheapest | best_value | first_acceptable | random | thompson`,
  },
  { path: 'buyers[0].negotiator.name', message: `${WHY}or use rule | none` },
  { path: 'sellers[0].negotiation.negotiator', message: `${WHY}or use rule` },
];

describe('LLM deciders and negotiators need the regtest backend', () => {
  it('validation for the embedded backend refuses each llm field, naming it and what to do', () => {
    expect(() => loadScenarioText(llmEverywhere, { checks: checksFor('embedded') })).toThrow(
      expect.objectContaining({ code: 'invalid_scenario', issues }),
    );
  });

  it('validation for the regtest backend accepts the same scenario', () => {
    expect(loadScenarioText(llmEverywhere, { checks: checksFor('regtest') }).name).toBe('llm-market');
  });

  it('sim validate without --backend refuses it, with --backend regtest accepts it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-llm-')), 'llm.yaml');
    writeFileSync(file, llmEverywhere);
    const out: string[] = [];
    const io: CommandIo = {
      out: (t) => out.push(t),
      err: () => {},
      interactive: false,
      now: () => new Date(0),
    };
    await expect(validateCommand([file], io)).rejects.toMatchObject({ code: 'invalid_scenario', issues });
    expect(await validateCommand([file, '--backend', 'regtest'], io)).toBe(0);
  });

  it('runScenario on the embedded backend refuses it before building anything', async () => {
    const scenario = loadScenarioText(llmEverywhere, { checks: checksFor('regtest') });
    await expect(runScenario(scenario)).rejects.toMatchObject({ code: 'invalid_scenario', issues });
  });
});
