import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { listScenarios, loadScenarioText } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import { scenarioChecks } from '../market/checks.js';
import { parseGridArgs } from '../sweep/grid.js';
import { gridAxes, runSweep, type SweepTransport } from '../sweep/runner.js';
import {
  checkSweep,
  readScenarioSource,
  validateGridPoints,
  type ScenarioSource,
  type SweepSources,
} from '../sweep/plan.js';
import type { Scenario } from '../scenario/schema.js';
import { checkOutDir, defaultSweepOutDir } from '../sweep/out-dir.js';
import { checkSweepWork, MAX_SWEEP_WORK } from '../sweep/sweep-work.js';
import { parseQueueUrl } from '../sweep/queue-connection.js';
import { queueTransport } from '../sweep/queue-coordinator.js';
import { sweepConsoleTable } from '../sweep/report.js';
import { plural } from '../report/format.js';
import { SWEEP_STOP_WORDS, SweepStopped } from '../sweep/stopped-sweep.js';
import { stopAfterRelay, stoppedExit, watchStopPresses } from '../stop-presses.js';
import { startProgress, type CommandIo, type ExitCode } from './io.js';
import { LabError } from '../../infra/errors.js';
import { terminalSafeLines } from '../../infra/terminal-text.js';
import { integerOption, parseArgsOnce, refuseEmptyOptions, usageError } from '../../infra/cli-options.js';

/**
 * Most worker threads: each loads the whole code base and may hold a large market, and all start
 * at once, so a typo such as --workers 500 would exhaust memory (as `sim worker --concurrency`).
 */
export const MAX_WORKERS = 256;

export const SWEEP_HELP = `usage: sim sweep <scenario|file.yaml> [options]

Runs a parameter grid × seeds in parallel worker threads and merges the runs
into one table with 95% confidence intervals across seeds, and paired
differences over common seeds against the first grid point (the baseline).

  --grid KEY=V1,V2      one axis of the grid (repeatable; dotted paths as in --set),
                        e.g. --grid 'buyers[0].decider.name=cheapest,random'
                        (default: the scenario's own sweep.grid)
  --seeds N             seeds per grid point, 1 to 1,000; a sweep runs seeds 1..N at every
                        point (default: the scenario's sweep.seeds, or 3); at most 100,000
                        runs (grid points × seeds) per sweep, expected to make at most
                        ${MAX_SWEEP_WORK.toLocaleString('en-US')} calls and quotes in all
  --workers N           worker threads (default: cores − 1, at least 1; 0 runs inline;
                        at most ${MAX_WORKERS})
  --set KEY=VALUE       override applied to every point (repeatable)
  --queue URL           enqueue the runs on Redis (redis://host:port) for \`sim worker\`
                        processes on any machines instead of local threads; the same
                        command again resumes the sweep (see docs/simulator.md)
  --out DIR             output directory (default: runs/sweep-<scenario>/): new, empty, or a
                        previous sweep's, whose outputs are replaced; one sweep or run at a
                        time (another one writing there is refused)
  -h, --help            this help

Shipped scenarios: ${listScenarios().join(', ')}.
Outputs: sweep.json, sweep.csv, report.html, charts/*.png, runs/point-<i>/seed-<n>/summary.json.
Ctrl-C (or SIGTERM) stops a local sweep: the runs that finished keep their summary.json, nothing
is merged (exit 130, 143); running the command again runs the whole sweep anew.`;

/** `sim sweep`: the grid over workers with a progress bar, then the merged table. */
export async function sweepCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgsOnce({
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
  // The YAML is read once: validation and every run (local or queued) use this text.
  const source = readScenarioSource(name);
  const loaded = loadScenarioText(source.text, { overrides: base, checks: scenarioChecks }, source.file);
  const axes = parseGridArgs(values.grid);
  if (axes.length === 0 && !loaded.sweep)
    throw new LabError('usage', `${loaded.name} declares no sweep; give at least one --grid KEY=V1,V2`);
  const { seeds, from } = seedsOf(values.seeds, loaded, axes.length > 0, source.file);
  if (values.queue && values.workers !== undefined)
    throw new LabError(
      'usage',
      '--workers sets local threads; with --queue the runs go to `sim worker` processes (set their --concurrency)',
    );
  const workers = workersOption(values.workers) ?? Math.max(1, availableParallelism() - 1);
  const outDir = resolve(values.out ?? defaultSweepOutDir(loaded.name));
  const points = axes.length ? axes : gridAxes(loaded);
  // Size, paths, every grid point's scenario and the runs' work in all are checked before any run
  // starts (or anything is allocated), so a bad value or combination fails fast, naming its point.
  checkSweep(points, seeds, base, from);
  checkOutDir(outDir);
  checkSweepWork(validateGridPoints(name, points, base, scenarioChecks, source), seeds, from);
  const total = points.reduce((n, a) => n * a.values.length, 1) * seeds;
  const transport = values.queue ? queueOf(values.queue, source, io) : undefined;
  io.err(sweepHeader(loaded.name, total, seeds, transport ? 'queue' : workers));
  // A local sweep stops at Ctrl-C; a queued one is left as it is (the same command resumes it).
  const presses = transport ? undefined : watchStopPresses(outDir, io.err, SWEEP_STOP_WORDS);
  const stop = presses && stopAfterRelay(presses.first);
  const bar = startProgress(io, {
    name: 'sweep',
    total,
    unit: 'runs',
    barFormat: 'sweep [{bar}] {value}/{total} runs | {label}',
    payload: { label: '' },
  });
  try {
    const { result, failures, reportPath } = await runSweep({
      scenario: name,
      source,
      from,
      loaded,
      axes,
      seeds,
      workers,
      base,
      outDir,
      ...(transport && { transport }),
      ...(stop && { signal: stop.signal }),
      onProgress: (done, _total, label) => bar.update(done, { label }),
    });
    bar.stop();
    io.out(sweepConsoleTable(result));
    for (const f of failures)
      io.err(terminalSafeLines(`failed: ${f.point} seed ${f.seed}: ${f.code}: ${f.message}`));
    io.out(`\nreport: ${reportPath}`);
    io.out(`table:  ${outDir}/sweep.csv`);
    return failures.length || result.points.some((p) => !p.conservationHolds) ? 1 : 0;
  } catch (err) {
    if (!(err instanceof SweepStopped) || !presses) throw err;
    bar.stop();
    io.out(err.message);
    return stoppedExit(await presses.first);
  } finally {
    bar.stop();
    stop?.cancel();
    presses?.close();
  }
}

/** The line a sweep starts with: its runs, points and seeds, and where the runs go (a count of worker threads, 0: inline). */
export function sweepHeader(scenario: string, runs: number, seeds: number, where: number | 'queue'): string {
  const on =
    where === 'queue'
      ? 'over the queue'
      : where === 0
        ? 'inline (no worker threads)'
        : `on ${plural(where, 'worker')}`;
  return `sweeping ${scenario}: ${plural(runs, 'run')} (${plural(runs / seeds, 'point')} × ${plural(seeds, 'seed')}) ${on}…`;
}

// The runs go to a Redis queue, each carrying the scenario's YAML so workers elsewhere need no copy of it.
function queueOf(url: string, scenario: ScenarioSource, io: CommandIo): SweepTransport {
  return queueTransport(parseQueueUrl(url), { scenario, log: (l) => io.err(l) });
}

/** The seeds per point (`--seeds`, else the file's `sweep.seeds`, else 3) and where they and the grid came from. */
function seedsOf(
  flag: string | undefined,
  loaded: Scenario,
  gridFlags: boolean,
  file: string,
): { seeds: number; from: SweepSources } {
  const given = flag === undefined ? undefined : integerOption('seeds', flag, 1);
  const fromFile = given === undefined && loaded.sweep !== undefined;
  return {
    seeds: given ?? loaded.sweep?.seeds ?? 3,
    from: { seeds: fromFile ? 'file' : 'flag', grid: gridFlags ? 'flag' : 'file', file },
  };
}

/** `--workers`: a whole number 0..MAX_WORKERS, saying why there is a maximum. */
function workersOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = integerOption('workers', v, 0);
  if (n > MAX_WORKERS)
    throw usageError(
      `--workers ${n}: at most ${MAX_WORKERS} worker threads, since each loads the whole code base and may hold a large market, and all start at once (this machine has ${availableParallelism()} cores); give --workers ${MAX_WORKERS} or fewer, or spread the sweep over machines with --queue`,
    );
  return n;
}
