import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { listScenarios, loadScenario, resolveScenarioPath } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import { scenarioChecks } from '../market/checks.js';
import { parseGridArgs } from '../sweep/grid.js';
import { gridAxes, runSweep, type SweepTransport } from '../sweep/runner.js';
import { checkQueueSweep, checkSweep, validateGridPoints } from '../sweep/plan.js';
import { checkOutDir } from '../sweep/out-dir.js';
import { parseQueueUrl } from '../sweep/queue-connection.js';
import { queueTransport } from '../sweep/queue-coordinator.js';
import { sweepConsoleTable } from '../sweep/report.js';
import { type CommandIo, type ExitCode } from './io.js';
import { LabError } from '../../infra/errors.js';
import { refuseEmptyOptions } from '../../infra/cli-options.js';

export const SWEEP_HELP = `usage: sim sweep <scenario|file.yaml> [options]

Runs a parameter grid × seeds in parallel worker threads and merges the runs
into one table with 95% confidence intervals across seeds, and paired
differences over common seeds against the first grid point (the baseline).

  --grid KEY=V1,V2      one axis of the grid (repeatable; dotted paths as in --set),
                        e.g. --grid 'buyers[0].decider.name=cheapest,random'
                        (default: the scenario's own sweep.grid)
  --seeds N             seeds per grid point, 1 to 1,000; a sweep runs seeds 1..N at every
                        point (default: the scenario's sweep.seeds, or 3); at most 100,000
                        runs (grid points × seeds) per sweep
  --workers N           worker threads (default: cores − 1, at least 1; 0 runs inline)
  --set KEY=VALUE       override applied to every point (repeatable)
  --queue URL           enqueue the runs on Redis (redis://host:port) for \`sim worker\`
                        processes on any machines instead of local threads; the same
                        command again resumes the sweep (see docs/simulator.md)
  --out DIR             output directory (default: runs/sweep-<scenario>/): new, empty, or a
                        previous sweep's, whose outputs are replaced
  -h, --help            this help

Shipped scenarios: ${listScenarios().join(', ')}.
Outputs: sweep.json, sweep.csv, report.html, charts/*.png, runs/point-<i>/seed-<n>/summary.json.`;

/** `sim sweep`: the grid over workers with a progress bar, then the merged table. */
export async function sweepCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true, default: [] },
      seeds: { type: 'string' },
      workers: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      queue: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(SWEEP_HELP);
    return 0;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new LabError('usage', `expected one scenario\n\n${SWEEP_HELP}`);
  const base = parseOverrideArgs(values.set);
  const loaded = loadScenario(name, { overrides: base, checks: scenarioChecks });
  const axes = parseGridArgs(values.grid);
  if (axes.length === 0 && !loaded.sweep)
    throw new LabError('usage', `${loaded.name} declares no sweep; give at least one --grid KEY=V1,V2`);
  const seeds = positiveInt(values.seeds, '--seeds') ?? loaded.sweep?.seeds ?? 3;
  if (values.queue && values.workers !== undefined)
    throw new LabError(
      'usage',
      '--workers sets local threads; with --queue the runs go to `sim worker` processes (set their --concurrency)',
    );
  const workers = nonNegInt(values.workers, '--workers') ?? Math.max(1, availableParallelism() - 1);
  const outDir = resolve(values.out ?? join('runs', `sweep-${loaded.name}`));
  const points = axes.length ? axes : gridAxes(loaded);
  // Size, paths and every grid point's scenario are checked before any run starts (or anything is
  // allocated), so a bad value or combination fails fast, naming its point.
  checkSweep(points, seeds, base);
  checkOutDir(outDir);
  validateGridPoints(name, points, base, scenarioChecks);
  const total = points.reduce((n, a) => n * a.values.length, 1) * seeds;
  if (values.queue) checkQueueSweep(total);
  const transport = values.queue ? queueOf(values.queue, name, io) : undefined;
  io.err(
    `sweeping ${loaded.name}: ${total} runs (${total / seeds} points × ${seeds} seeds) ` +
      (transport ? 'over the queue…' : `on ${workers} workers…`),
  );
  const bar = io.interactive
    ? new SingleBar({ format: 'sweep [{bar}] {value}/{total} runs | {label}', hideCursor: true })
    : undefined;
  bar?.start(total, 0, { label: '' });
  try {
    const { result, failures, reportPath } = await runSweep({
      scenario: name,
      loaded,
      axes,
      seeds,
      workers,
      base,
      outDir,
      ...(transport && { transport }),
      onProgress: (done, _total, label) => bar?.update(done, { label }),
    });
    bar?.stop();
    io.out(sweepConsoleTable(result));
    for (const f of failures) io.err(`failed: ${f.point} seed ${f.seed}: ${f.code}: ${f.message}`);
    io.out(`\nreport: ${reportPath}`);
    io.out(`table:  ${outDir}/sweep.csv`);
    return failures.length || result.points.some((p) => !p.conservationHolds) ? 1 : 0;
  } finally {
    bar?.stop();
  }
}

// The runs go to a Redis queue, each carrying the scenario's YAML so workers elsewhere need no copy of it.
function queueOf(url: string, name: string, io: CommandIo): SweepTransport {
  const target = parseQueueUrl(url);
  const file = resolveScenarioPath(name);
  return queueTransport(target, {
    scenario: { file, text: readFileSync(file, 'utf8') },
    log: (l) => io.err(l),
  });
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new LabError('usage', `${flag} expects a positive integer, got "${v}"`);
  return Number(v);
}

function nonNegInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new LabError('usage', `${flag} expects a non-negative integer, got "${v}"`);
  return Number(v);
}
