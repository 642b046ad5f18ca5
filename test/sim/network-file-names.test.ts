/**
 * The nodes of a scenario's `network.file` (SimLN sim_network JSON: the embedded network's routers)
 * may not take the name of a node a group makes: validate and run refuse such a file, naming both.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { minimalMarket, silentIo as io, writeScenario } from './scenario-fixture.js';

/** A SimLN file of one channel between two routers with these aliases (real pubkey-shaped keys). */
function simLnFile(dir: string, aliases: [string, string]): string {
  const file = join(dir, 'graph.json');
  const side = (prefix: string, alias: string) => ({ pubkey: `${prefix}${'a'.repeat(64)}`, alias });
  const channel = {
    scid: 1,
    capacity_msat: 10_000_000_000,
    node_1: side('02', aliases[0]),
    node_2: side('03', aliases[1]),
  };
  writeFileSync(file, JSON.stringify({ sim_network: [channel] }));
  return file;
}

/** A market of one seller group ("feed") and one buyer group ("shopper") on the routers of `network`. */
function scenarioFile(dir: string, network: string, faults: unknown[] = []): string {
  const pace = { durationSec: 5, drainSec: 5, 'buyers[0].arrivals.ratePerMin': 6 };
  return writeScenario(minimalMarket('file-routers', { faults, ...pace, network: { file: network } }), dir);
}

/** The issues `run` throws before it runs anything, or 'ran' (with --out written) when it ran. */
async function runIssues(scenario: string, out: string): Promise<unknown> {
  const args = [scenario, '--out', out, '--no-png', '--no-events'];
  return runCommand(args, io).then(
    () => 'ran',
    (err: unknown) => (err instanceof ScenarioError ? err.issues : err),
  );
}

describe('network.file node names against the groups’ node names', () => {
  it('validate and run refuse a file router named like a buyer, naming the group, the node and the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'network-file-names-'));
    const network = simLnFile(dir, ['hub', 'shopper-0']);
    const scenario = scenarioFile(dir, network);
    const issues = [
      {
        path: 'buyers[0].name',
        message: `name "shopper" makes node shopper-0, which is the name of a node of network.file ${network}; rename the group, or that node's alias in ${network}`,
      },
    ];
    const err = await validateCommand([scenario], io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).issues).toEqual(issues);
    expect(await runIssues(scenario, join(dir, 'run'))).toEqual(issues);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('refuses a file router named like a seller the same way, at the seller group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'network-file-names-'));
    const network = simLnFile(dir, ['feed-0', 'hub']);
    const err = await validateCommand([scenarioFile(dir, network)], io).catch((e: unknown) => e);
    expect((err as ScenarioError).issues).toEqual([
      {
        path: 'sellers[0].name',
        message: `name "feed" makes node feed-0, which is the name of a node of network.file ${network}; rename the group, or that node's alias in ${network}`,
      },
    ]);
  });

  it('accepts a file whose routers take no group’s node names, and runs on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'network-file-names-'));
    const scenario = scenarioFile(dir, simLnFile(dir, ['hub-a', 'hub-b']));
    expect(await validateCommand([scenario], io)).toBe(0);
    expect(await runIssues(scenario, join(dir, 'run'))).toBe('ran');
  });

  it('a fault names a file router by its alias; router-<n>, which such a network does not have, is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'network-file-names-'));
    const network = simLnFile(dir, ['hub-a', 'hub-b']);
    const faults = (node: string) => [{ kind: 'node_offline', atSec: 1, node, forSec: 2 }];
    expect(await validateCommand([scenarioFile(dir, network, faults('hub-a'))], io)).toBe(0);
    const err = await validateCommand([scenarioFile(dir, network, faults('router-0'))], io).catch(
      (e: unknown) => e,
    );
    expect((err as ScenarioError).issues).toEqual([
      {
        path: 'faults[0].node',
        message: `no node named "router-0" (nodes are named <group>-<n>, routers as network.file ${network} names them)`,
      },
    ]);
  });
});
