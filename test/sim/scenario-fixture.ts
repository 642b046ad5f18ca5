/**
 * The scenario the validation tests edit: a minimal valid market and the groups they add to it,
 * the issues validation reports for it, and the market written to a file for the `sim` commands.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { CommandIo } from '../../sim/commands/io.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import type { ScenarioIssue } from '../../sim/scenario/errors.js';
import { validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides, type Overrides } from '../../sim/scenario/overrides.js';
import type { Scenario } from '../../sim/scenario/schema.js';

/** The io of a command that prints nothing, at time 0. */
export const silentIo: CommandIo = {
  out: () => {},
  err: () => {},
  interactive: false,
  now: () => new Date(0),
};

/**
 * A valid market named `name`, with `overrides` (paths as `--set` takes them) applied: one seller
 * group "feed" (a data feed at 2,000 msat a call) and one buyer group "shopper" (allow_all, a
 * 100,000 msat budget, a task a minute worth 8,000 msat), on one hub, for 1 s with no drain.
 */
export function minimalMarket(name: string, overrides: Overrides = {}) {
  const doc = {
    name,
    durationSec: 1,
    drainSec: 0,
    sellers: [{ name: 'feed', archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 } }],
    buyers: [
      {
        name: 'shopper',
        policy: { name: 'allow_all' },
        budgetMsat: 100_000,
        arrivals: { process: 'poisson', ratePerMin: 1 },
        tasks: [{ capability: 'anomalies:read', value: { dist: 'fixed', msat: 8000 } }],
      },
    ],
  };
  return applyOverrides(doc, overrides);
}

/** A reseller group "broker" of anomalies:read whose sub-agents buy a task a minute worth 5,000 msat. */
export function brokerGroup(o: {
  count?: number;
  balanceMsat: number;
  subAgents: { count: number; budgetMsat: number };
}) {
  return {
    name: 'broker',
    ...(o.count === undefined ? {} : { count: o.count }),
    capability: 'anomalies:read',
    balanceMsat: o.balanceMsat,
    subAgents: {
      ...o.subAgents,
      arrivals: { process: 'poisson', ratePerMin: 1 },
      value: { dist: 'fixed', msat: 5000 },
    },
  };
}

/**
 * Overrides of the minimal market that add every other kind of node that holds channels: a seller
 * "chain" that buys upstream, two adversarial sellers "shady" (each with its shadow node) and two
 * resellers "broker" of three sub-agents each.
 */
export const otherNodeKinds = (): Overrides => ({
  'sellers[1]': {
    name: 'chain',
    archetype: 'compute',
    price: { kind: 'fixed', msat: 5000 },
    upstream: [{ capability: 'anomalies:read' }],
    balanceMsat: 700_000,
  },
  'sellers[2]': {
    name: 'shady',
    count: 2,
    archetype: 'data-feed',
    price: { kind: 'fixed', msat: 1000 },
    adversarial: { mode: 'wrong-payee' },
  },
  resellers: [brokerGroup({ count: 2, balanceMsat: 2_000_000, subAgents: { count: 3, budgetMsat: 50_000 } })],
});

/** Each issue as `path: message`. */
const lines = (issues: ScenarioIssue[]): string[] => issues.map((i) => `${i.path}: ${i.message}`);

/** Every issue validation (the schema and its cross checks) reports for `doc` with `overrides`, as `path: message`. */
export function issueLines(doc: unknown, overrides: Overrides = {}): string[] {
  const v = validateScenario(applyOverrides(doc, overrides));
  return v.ok ? [] : lines(v.issues);
}

/** `doc` validated as `sim run` validates it (with the market's checks); throws naming every issue. */
export function validScenario(doc: unknown): Scenario {
  const v = validateScenario(doc, scenarioChecks);
  if (!v.ok) throw new Error(lines(v.issues).join('; '));
  return v.scenario;
}

/** Writes `doc` as YAML to `market.yaml` in `dir` (a new temporary folder unless given); returns its path. */
export function writeScenario(doc: unknown, dir = mkdtempSync(join(tmpdir(), 'sim-scenario-'))): string {
  const file = join(dir, 'market.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** Runs `doc` with `sim run` into `out`, a folder next to its file: what the run threw (or returned). */
export async function runInto(doc: unknown): Promise<{ err: unknown; out: string }> {
  const file = writeScenario(doc);
  const out = join(dirname(file), 'out');
  const err = await runCommand([file, '--out', out], silentIo).catch((e: unknown) => e);
  return { err, out };
}
