import { terminalSafe } from '../../infra/terminal-text.js';
import { reachWarnings } from '../scenario/reach.js';
import {
  MAX_CHANNELS,
  MAX_DURATION_SEC,
  MAX_NODES,
  MAX_RATE_PER_MIN,
  MAX_RUN_CALLS,
  MAX_RUN_QUOTES,
  MAX_SEARCH_LIMIT,
  MAX_TASK_WEIGHT,
  MIN_EVERY_SEC,
} from '../scenario/limits.js';
import { loadScenario, resolveScenarioPath, type ScenarioCheck } from '../scenario/load.js';
import { ScenarioError, type ScenarioIssue } from '../scenario/errors.js';
import type { Scenario } from '../scenario/schema.js';
import { expandGrid } from '../sweep/grid.js';
import { checkSweep, loadPoint, readScenarioSource, type PointWork } from '../sweep/plan.js';
import { checkSweepWork, MAX_SWEEP_WORK } from '../sweep/sweep-work.js';
import { expectedWork } from '../scenario/run-work.js';
import { gridAxes } from '../sweep/runner.js';
import { checksFor } from '../market/checks.js';
import { plural } from '../report/format.js';
import { type CommandIo, type ExitCode } from './io.js';
import { isLabError, LabError } from '../../infra/errors.js';
import { parseArgsOnce, refuseEmptyOptions } from '../../infra/cli-options.js';

const fmt = (n: number) => n.toLocaleString('en-US');

export const VALIDATE_HELP = `usage: sim validate <scenario|file.yaml> [--backend embedded|regtest]

Checks a scenario file without running it: the schema, the run's limits
(below), cross references (capabilities, node names in faults), payment policy
parameters, that what it uses runs on the backend (default embedded, where LLM
deciders and negotiators cannot run), and its own sweep section as \`sim sweep\`
checks it (sweep.seeds and the runs it makes within the sweep's limits, every
sweep.grid point a valid scenario, at most ${fmt(MAX_SWEEP_WORK)} expected calls and
quotes in all its runs). Prints every problem as path: reason, e.g.
  buyers[0].policy.params.maxMsat: must be a non-negative integer number of msat

A run's limits (why each: docs/simulator.md, "Scenario files"):
  at most ${fmt(MAX_NODES)} nodes (agents and routers) and ${fmt(MAX_CHANNELS)} channels
  at most ${fmt(MAX_RUN_CALLS)} expected calls: buyers' tasks × calls, sub-agents' slices,
    repricing steps and sellers' upstream calls
  durationSec and drainSec at most ${fmt(MAX_DURATION_SEC)} s (365 days)
  arrivals.ratePerMin at most ${fmt(MAX_RATE_PER_MIN)}; arrivals.everySec at least ${MIN_EVERY_SEC} s (1 ms)
  a task's weight at most ${fmt(MAX_TASK_WEIGHT)}; registry.searchLimit at most ${fmt(MAX_SEARCH_LIMIT)}
  at most ${fmt(MAX_RUN_QUOTES)} expected quotes: buyers' tasks and sellers' upstream purchases
    × the sellers each search returns (at most registry.searchLimit)`;

/** `sim validate`: 0 when valid, 1 with every issue listed otherwise (the ScenarioError is rethrown to the CLI). */
export async function validateCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgsOnce({
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string', default: 'embedded' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0])
    throw new LabError('usage', `expected one scenario name or file\n\n${VALIDATE_HELP}`);
  const backend = values.backend;
  if (backend !== 'embedded' && backend !== 'regtest')
    throw new LabError('usage', `--backend must be embedded or regtest, got "${backend}"`);
  const s = loadScenario(positionals[0]!, { checks: checksFor(backend) });
  if (s.sweep) {
    checkOwnSweep(positionals[0]!, s);
    checkOwnGrid(positionals[0]!, s, checksFor(backend));
  }
  const agents = s.buyers.reduce((a, b) => a + b.count, 0);
  const sellers = s.sellers.reduce((a, b) => a + b.count, 0);
  io.out(
    `ok: ${s.name}: ${plural(sellers, 'seller')}, ${plural(agents, 'buyer')}, ${plural(s.resellers.length, 'reseller group')}, ${plural(s.faults.length, 'fault')}, ${s.durationSec} s`,
  );
  for (const w of reachWarnings(s)) io.out(`warning: ${terminalSafe(w)}`);
  return 0;
}

/**
 * Checks the file's own sweep section as `sim sweep` does before running it (`checkSweep`: at
 * most 1,000 sweep.seeds and 100,000 runs, no seed axis, no path twice), and throws what the
 * sweep would refuse as the file's issue. Before the grid's points: a grid over the size limit
 * is not loaded point by point.
 */
function checkOwnSweep(scenario: string, s: Scenario): void {
  const file = resolveScenarioPath(scenario);
  fileIssue(file, () => checkSweep(gridAxes(s), s.sweep!.seeds, {}, { seeds: 'file', grid: 'file', file }));
}

/** Most bad grid points listed (a large grid of one bad value would bury the rest). */
const MAX_BAD_POINTS = 20;

/**
 * Checks the values of the file's own `sweep.grid` as `sim sweep` does, every point (read once),
 * and throws every bad point's issues; with none, the work of all its runs (`checkSweepWork`).
 */
function checkOwnGrid(scenario: string, s: Scenario, checks: ScenarioCheck[]): void {
  const source = readScenarioSource(scenario);
  const issues: ScenarioIssue[] = [];
  const work: PointWork[] = [];
  let bad = 0;
  for (const p of expandGrid(gridAxes(s))) {
    const loaded = loadPoint(source, p.overrides, checks);
    if (!(loaded instanceof ScenarioError))
      work.push({ index: p.index, label: p.label, work: expectedWork(loaded) });
    else if (++bad <= MAX_BAD_POINTS)
      issues.push({ path: '', message: `at sweep.grid point ${p.index} (${p.label}):` }, ...loaded.issues);
  }
  if (bad > MAX_BAD_POINTS)
    issues.push({ path: '', message: `and ${bad - MAX_BAD_POINTS} more bad sweep.grid points` });
  if (bad > 0) throw new ScenarioError('invalid_scenario', issues, resolveScenarioPath(scenario));
  fileIssue(source.file, () =>
    checkSweepWork(work, s.sweep!.seeds, { seeds: 'file', grid: 'file', file: source.file }),
  );
}

/** Runs a sweep check, throwing what it refuses (a usage error) as the file's issue. */
function fileIssue(file: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    if (!isLabError(err, 'usage')) throw err;
    throw new ScenarioError('invalid_scenario', [{ path: '', message: err.message }], file, { cause: err });
  }
}
