/**
 * A scenario's size is bounded per group and for the whole market (sim/scenario/limits.ts):
 * `count: 1000000000` in a buyer group made `sim validate` name a billion nodes, for about
 * 100 s, and crash out of memory. Now a group's count over the limit is refused at its field,
 * and a market over it before any node is named.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseScenarioText, resolveScenarioPath, validateScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MAX_NODES } from '../../sim/scenario/limits.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A shipped scenario as its YAML reads, to edit. */
const shipped = (name: string) => parseScenarioText(readFileSync(resolveScenarioPath(name), 'utf8')) as Doc;

/** Every issue of a document, or 'valid'. */
function issues(doc: Doc) {
  const v = validateScenario(doc, scenarioChecks);
  return v.ok ? 'valid' : v.issues;
}

const TOO_MANY =
  "one run builds at most 50,000 nodes (agents and routers), each held in memory for the whole run; lower the groups' counts; for more purchases raise arrivals.ratePerMin (or shorten everySec) rather than the number of buyers";

/** The market-wide issue for `made` nodes, described as `parts`. */
const overLimit = (made: string, parts: string) => [
  {
    path: '',
    message: `this market makes ${made} nodes (${parts}), more than the 50,000 one run builds: each is held in memory for the whole run; lower the groups' counts; for more purchases raise arrivals.ratePerMin (or shorten everySec) rather than the number of buyers`,
  },
];

describe('a group count over the limit is refused at its field', () => {
  it('buyers[0].count: 1000000000 is one issue naming the field and the limit', () => {
    const doc = shipped('quickstart');
    doc.buyers[0].count = 1_000_000_000;
    expect(issues(doc)).toEqual([
      { path: 'buyers[0].count', message: `expected at most 50,000: ${TOO_MANY}` },
    ]);
  });

  it('so are a seller group, a reseller group, its sub-agents and the topology’s routers', () => {
    const doc = shipped('resale');
    doc.sellers[0].count = 50_001;
    doc.resellers[0].count = 10 ** 9;
    doc.resellers[0].subAgents.count = 10 ** 12;
    doc.network.topology = { kind: 'ring', routers: 10 ** 9 };
    const message = `expected at most 50,000: ${TOO_MANY}`;
    expect(issues(doc)).toEqual([
      { path: 'network.topology.routers', message },
      { path: 'sellers[0].count', message },
      { path: 'resellers[0].count', message },
      { path: 'resellers[0].subAgents.count', message },
    ]);
  });
});

describe('the whole market is bounded: every node counts, each kind named', () => {
  it(`a market of exactly ${MAX_NODES} nodes is valid; one more is refused`, () => {
    // quickstart: buyer groups of 3 and 2, 3 sellers, 1 router.
    const doc = shipped('quickstart');
    doc.buyers[0].count = 49_994;
    expect(issues(doc)).toBe('valid');
    doc.buyers[0].count = 49_995;
    expect(issues(doc)).toEqual(overLimit('50,001', '49,997 buyers, 3 sellers, 1 router'));
  });

  it('groups each within the limit but over it together are refused', () => {
    const doc = shipped('quickstart');
    doc.buyers[0].count = 30_000;
    doc.buyers[1].count = 30_000;
    expect(issues(doc)).toEqual(overLimit('60,004', '60,000 buyers, 3 sellers, 1 router'));
  });

  it('a reseller’s sub-agents and a wrong-payee seller’s shadow nodes count', () => {
    const resale = shipped('resale');
    resale.resellers[0].subAgents.count = 25_000;
    expect(issues(resale)).toEqual(
      overLimit('50,008', '4 buyers, 1 seller, 2 resellers, 50,000 sub-agents, 1 router'),
    );
    const faults = shipped('quickstart');
    faults.sellers[0].count = 25_000;
    faults.sellers[0].adversarial = { mode: 'wrong-payee' };
    expect(issues(faults)).toEqual(
      overLimit('50,008', '5 buyers, 25,002 sellers, 25,000 shadow nodes, 1 router'),
    );
  });
});

describe('sim validate and sim run refuse a billion buyers at once', () => {
  const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
  const file = join(mkdtempSync(join(tmpdir(), 'market-size-')), 'huge.yaml');
  const doc = shipped('quickstart');
  doc.buyers[0].count = 1_000_000_000;
  writeFileSync(file, stringify(doc));
  const refusal = `${file}: scenario is invalid\n  buyers[0].count: expected at most 50,000: ${TOO_MANY}`;

  it('validate throws the one issue', async () => {
    const err = await validateCommand([file], io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toBe(refusal);
  });

  it('run throws it before creating --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'market-size-run-')), 'out');
    const err = await runCommand([file, '--out', out], io).catch((e: unknown) => e);
    expect((err as Error).message).toBe(refusal);
    expect(existsSync(out)).toBe(false);
  });
});
