import { resolve } from 'node:path';
import { listScenarios, loadScenario } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import { checksFor } from '../market/checks.js';
import { runScenario, type RunOutput } from '../run.js';
import type { Scenario } from '../scenario/schema.js';
import { stoppedAt } from '../stopped-run.js';
import { stopAfterRelay, stoppedExit, watchStopPresses } from '../stop-presses.js';
import { consoleSummary, timesLine } from '../report/console.js';
import { plural } from '../report/format.js';
import { startProgress, type CommandIo, type ExitCode } from './io.js';
import { LabError } from '../../infra/errors.js';
import { seedArg } from './seed-arg.js';
import { backendArg, checkNetworkFile } from './network-arg.js';
import { parseArgsOnce, refuseEmptyOptions, usageError } from '../../infra/cli-options.js';
import { defaultOutDir } from './out-dir.js';
import { refuseFileInTheWay } from '../../infra/out-dir.js';
import { terminalSafe } from '../../infra/terminal-text.js';
import { refuseChartsLink } from '../report/write-run.js';
import { lockOutDir } from '../../infra/out-dir-lock.js';

export { defaultOutDir };

export const RUN_HELP = `usage: sim run <scenario|file.yaml> [options]

Runs one scenario and writes its report.

  --seed S              seed, an integer or any text (default: the scenario's)
  --out DIR             output directory (default: runs/<scenario>-<seed>/)
  --backend KIND        embedded (default: in-process network, virtual time)
                        or regtest (real LND nodes, wall clock; needs --network)
  --network FILE        network description for --backend regtest (from npm run network:up)
  --set KEY=VALUE       override a scenario field (repeatable), e.g. --set durationSec=30;
                        a policy's parameter, where the policy has it (quickstart's
                        max_per_request has maxMsat; policy-benchmark's allow_all has none):
                        sim run quickstart --set 'buyers[0].policy.params.maxMsat=5000'
  --no-png              skip PNG charts (report.html still has SVG charts)
  --no-events           skip events.jsonl
  -h, --help            this help

Shipped scenarios: ${listScenarios().join(', ')}.
Outputs: summary.json, meta.json, purchases.csv, tasks.csv, events.jsonl, report.html, charts/*.png;
an earlier run's outputs in DIR are removed first (other files stay).
Ctrl-C (or SIGTERM) stops the run and writes what it recorded as a partial run (exit 130, 143).`;

/** `sim run`: loads, validates, runs with a progress bar, prints the summary and where the report is. */
export async function runCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgsOnce({
    args: argv,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string', default: 'embedded' },
      network: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      'no-png': { type: 'boolean', default: false },
      'no-events': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  const name = scenarioArg(positionals);
  const backend = backendArg(values.backend, values.network);
  const overrides = parseOverrideArgs(values.set);
  const seedOption = values.seed === undefined ? undefined : seedArg(values.seed);
  const scenario = loadScenario(name, { overrides, checks: checksFor(backend) });
  if (values.network) await checkNetworkFile(values.network);
  const seed = seedOption ?? scenario.seed;
  const outDir = resolve(values.out ?? defaultOutDir(scenario.name, seed));
  refuseFileInTheWay(outDir);
  refuseChartsLink(outDir);
  // Another run or sweep writing into this directory would mix its files with this run's.
  const lock = await lockOutDir(outDir, 'run');
  // From before the market is built, so no signal ends the process while its files are open.
  const presses = watchStopPresses(outDir, io.err);
  const stop = stopAfterRelay(presses.first);
  const totalSec = Math.ceil(scenario.durationSec);
  const bar = startProgress(io, {
    name: 'run',
    total: totalSec,
    unit: 's of market time',
    barFormat: `${scenario.name} [{bar}] {value}/{total} s of market time | {eta_formatted} left`,
  });
  io.err(
    `running ${scenario.name} (seed ${terminalSafe(String(seed))}, ${backend}): ${scenario.durationSec} s of market time…`,
  );
  try {
    const out = await runScenario(scenario, {
      seed,
      backend,
      ...(values.network && { networkFile: values.network }),
      outDir,
      png: !values['no-png'],
      events: !values['no-events'],
      overrides,
      startedAt: io.now().toISOString(),
      onProgress: (nowMs) => bar.update(Math.min(totalSec, Math.floor(nowMs / 1000))),
      signal: stop.signal,
    });
    if (!out.engine.stopped) bar.update(totalSec);
    bar.stop();
    if (out.engine.stopped) {
      io.out(stoppedLine(out, scenario, outDir));
      return stoppedExit(await presses.first);
    }
    io.out(consoleSummary(out.summary, out.meta));
    io.out('');
    io.out(timesLine(out.summary, { drainSec: scenario.drainSec, ...out.meta }));
    if (out.engine.unfinished.length) io.out(unfinishedNote(out));
    io.out(`report: ${out.reportPath}`);
    io.out(`data:   ${outDir}/{${dataFiles(out.files).join(',')}}`);
    return out.summary.conservation.holds ? 0 : 1;
  } finally {
    bar.stop();
    stop.cancel();
    presses.close();
    await lock.release();
  }
}

/** `stopped at 12.0 s of 90 s of market time: …; partial run written to DIR/{summary.json,…}` */
function stoppedLine(out: RunOutput, scenario: Scenario, outDir: string): string {
  const where = stoppedAt(out.summary.endedAtMs, scenario);
  const differ = out.summary.conservation.holds
    ? ''
    : " (its records and its ledger differ: summary.json's first warning says why)";
  return `${where}: the run did not finish; partial run written to ${outDir}/{${(out.files ?? []).join(',')}}${differ}`;
}

// `npm start -- price-war` arrives as `run quickstart price-war`: say that npm start always runs quickstart.
function scenarioArg(positionals: string[]): string {
  const [name, second] = positionals;
  if (name && positionals.length === 1) return name;
  if (!name) throw new LabError('usage', `expected one scenario name or file\n\n${RUN_HELP}`);
  const got = `expected one scenario name or file, got ${positionals.length} (${positionals.join(', ')})`;
  const npmStart =
    name === 'quickstart' && positionals.length === 2
      ? ` (npm start runs quickstart only; for another scenario: npm run sim -- run ${second})`
      : '';
  throw usageError(`${got}${npmStart}`);
}

/** The run's data files among what it wrote (the report and charts have their own line). */
function dataFiles(files: readonly string[] = []): string[] {
  return files.filter((f) => f !== 'report.html' && !f.startsWith('charts/'));
}

/** The note on what the time limit cut off: the activities abandoned, and the end tasks among them recorded as unfinished. */
export function unfinishedNote(out: Pick<RunOutput, 'engine' | 'summary'>): string {
  const tasks = out.summary.purchases.tasksUnfinished;
  const n = out.engine.unfinished.length;
  return (
    `note: ${plural(n, 'activity', 'activities')} ${n === 1 ? 'was' : 'were'} still running at the time limit` +
    (tasks ? `, ${plural(tasks, 'end task')} among them, in tasks.csv with stopReason unfinished` : '') +
    ' (raise drainSec to let them finish)'
  );
}
