#!/usr/bin/env -S npx tsx
/**
 * `npm run demo`: runs a market and serves the live view, or replays a
 * finished run (`--replay runs/<dir>`). Prints the page's URL.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { listScenarios, loadScenario } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import { scenarioChecks } from '../market/checks.js';
import { ScenarioError } from '../scenario/errors.js';
import { createLogger } from '../../infra/log.js';
import { LiveMarket } from './live-market.js';
import { Replay } from './replay.js';
import { startLiveServer, type LiveSource } from './server.js';
import { MAX_SPEED, MIN_SPEED } from './paced-clock.js';

const HELP = `usage: npm run demo -- [scenario|file.yaml] [options]

Runs a market and serves a live view of it in the browser (open the printed URL).

  --speed N          market seconds per wall second, ${MIN_SPEED} to ${MAX_SPEED} (default 10; embedded network)
  --seed S           seed, an integer or any text (default: the scenario's)
  --port N           port of the page (default 8402; 0 picks a free one)
  --out DIR          where the run's files go (default runs/<scenario>-<seed>-live/)
  --backend KIND     embedded (default) or regtest (real LND nodes, wall clock; needs --network)
  --network FILE     network description for --backend regtest (from npm run network:up)
  --set KEY=VALUE    override a scenario field (repeatable), e.g. --set durationSec=120
  --replay DIR       play back a finished run from DIR/events.jsonl instead of running one
  -h, --help         this help

Scenarios: ${listScenarios().join(', ')} (default quickstart), or a file.
Keys on the page: Space pauses, + and - change speed. More in docs/demo.md.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      speed: { type: 'string', default: '10' },
      seed: { type: 'string' },
      port: { type: 'string', default: '8402' },
      out: { type: 'string' },
      backend: { type: 'string', default: 'embedded' },
      network: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      replay: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const speed = Number(values.speed);
  if (!(speed >= MIN_SPEED && speed <= MAX_SPEED))
    return usage(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, got "${values.speed}"`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return usage(`--port must be a port number, got "${values.port}"`);
  const backend = values.backend;
  if (backend !== 'embedded' && backend !== 'regtest')
    return usage(`--backend must be embedded or regtest, got "${backend}"`);
  if (backend === 'regtest' && !values.network)
    return usage(
      '--backend regtest needs --network <network.json>; bring a network up with `npm run network:up`',
    );
  if (positionals.length > 1) return usage('expected at most one scenario name or file');

  const logger = createLogger({ name: 'demo' });
  let source: LiveSource;
  let outDir: string | undefined;
  if (values.replay) {
    source = Replay.load(resolve(values.replay), { speed });
  } else {
    const scenario = loadScenario(positionals[0] ?? 'quickstart', {
      overrides: parseOverrideArgs(values.set),
      checks: scenarioChecks,
    });
    const seed =
      values.seed === undefined
        ? scenario.seed
        : /^-?\d+$/.test(values.seed)
          ? Number(values.seed)
          : values.seed;
    outDir = resolve(values.out ?? join('runs', `${scenario.name}-${seed}-live`));
    const market = new LiveMarket(scenario, {
      seed,
      speed,
      backend,
      outDir,
      logger,
      startedAt: new Date().toISOString(),
      ...(values.network && { networkFile: values.network }),
    });
    source = market;
    market.done.then(
      () => console.log(`run finished; files in ${outDir} (replay: npm run demo -- --replay ${outDir})`),
      (err: unknown) => console.error(`the run failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
  const server = await startLiveServer(source, { port, logger });
  console.log(`live market view: ${server.url}/  (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  return 0;
}

function usage(message: string): number {
  console.error(`${message}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ScenarioError) {
      console.error(`${err.message}\n\nfix the scenario (or the --set value) and try again.`);
      process.exit(1);
    }
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
