import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import type { Summary } from '../../sim/metrics/summary.js';

/**
 * The golden runs: every shipped scenario at a fixed seed. Their
 * summary.json is stored under test/sim/golden/ and a test demands the same
 * bytes; `npm run sim:golden` reruns them, prints what changed and rewrites
 * the files (review the diff before committing it).
 */
export interface GoldenCase {
  scenario: string;
  seed: number;
  /** Overrides of the shipped scenario (none: the scenario as shipped). */
  overrides: Record<string, unknown>;
  /** Names a case with overrides in its file name. */
  tag?: string;
}

export const GOLDEN_CASES: GoldenCase[] = [
  { scenario: 'quickstart', seed: 1, overrides: {} },
  { scenario: 'faults', seed: 1, overrides: {} },
  { scenario: 'policy-benchmark', seed: 1, overrides: {} },
  {
    scenario: 'policy-benchmark',
    seed: 1,
    tag: 'max_per_request',
    overrides: { 'buyers[0].policy': { name: 'max_per_request', params: { maxMsat: 4000 } } },
  },
  { scenario: 'price-war', seed: 1, overrides: {} },
  { scenario: 'agent-chain', seed: 1, overrides: {} },
  { scenario: 'resale', seed: 1, overrides: {} },
  { scenario: 'reputation', seed: 1, overrides: {} },
  { scenario: 'success-vs-amount', seed: 1, overrides: {} },
  { scenario: 'negotiation', seed: 1, overrides: {} },
  { scenario: 'first-proposal-bias', seed: 1, overrides: {} },
];

/** Where a case's golden summary lives. */
export function goldenPath(c: GoldenCase): string {
  return fileURLToPath(
    new URL(`./golden/${c.scenario}${c.tag ? `-${c.tag}` : ''}-seed${c.seed}.json`, import.meta.url),
  );
}

/** The stored golden summary text, or undefined when none was written yet. */
export function readGolden(c: GoldenCase): string | undefined {
  const p = goldenPath(c);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** Runs a case with in-memory CSVs. */
export async function runCase(
  c: GoldenCase,
): Promise<{ summary: Summary; purchases: string; tasks: string }> {
  const scenario = loadScenario(c.scenario, { overrides: c.overrides, checks: scenarioChecks });
  const purchases = new MemorySink();
  const tasks = new MemorySink();
  const { summary } = await runScenario(scenario, { seed: c.seed, sinks: { purchases, tasks } });
  return { summary, purchases: purchases.text(), tasks: tasks.text() };
}

/** Every leaf that differs between two JSON values, as `path: old → new` lines. */
export function jsonDiff(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b))
    return [`${path || '(root)'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) =>
    jsonDiff(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k,
    ),
  );
}
