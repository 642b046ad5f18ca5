/**
 * The demo's command line: its help and the checks that need nothing but the
 * arguments. Anything wrong here is a usage error (LabError `usage`, exit 2)
 * whose message names the option and points to --help.
 */
import { listScenarios } from '../scenario/load.js';
import {
  parseArgsError,
  parseArgsOnce,
  portOption,
  refuseEmptyOptions,
  usageError,
} from '../../infra/cli-options.js';
import { isLabError } from '../../infra/errors.js';
import { seedArg } from '../commands/seed-arg.js';
import { backendArg } from '../commands/network-arg.js';
import { MAX_SPEED, MIN_SPEED } from './paced-clock.js';

/**
 * `npm run demo` without a scenario: quickstart's market made long enough to
 * watch and act on (8 minutes of market instead of 1), at a pace people can
 * follow: about 4 minutes of wall time. quickstart.yaml itself is not changed
 * (npm start and its figures use it); --set durationSec=… and --speed win.
 */
export const DEFAULT_DEMO = { scenario: 'quickstart', durationSec: 480, speed: 2 } as const;
const NAMED_SPEED = 10;
/** The page's port: not the registry's 8402, so a demo and `npm run registry` run side by side. */
export const DEMO_PORT = 8400;

export const HELP = `usage: npm run demo -- [scenario|file.yaml] [options]

Runs a market and serves a live view of it in the browser (open the printed URL).
The page stays up after the run ends, until Ctrl-C.

  --speed N          market seconds per wall second, ${MIN_SPEED} to ${MAX_SPEED} (embedded network;
                     default ${NAMED_SPEED}, or ${DEFAULT_DEMO.speed} with no scenario)
  --seed S           seed, an integer or any text (default: the scenario's)
  --port N           port of the page (default ${DEMO_PORT}; 0 picks a free one)
  --out DIR          where the run's files go (default runs/<scenario>-<seed>-live/)
  --backend KIND     embedded (default) or regtest (real LND nodes, wall clock; needs --network)
  --network FILE     network description for --backend regtest (from npm run network:up)
  --set KEY=VALUE    override a scenario field (repeatable), e.g. --set durationSec=120
  --replay DIR       play back a recorded run (finished or stopped) from DIR instead of running one
  -h, --help         this help

Scenarios: ${listScenarios().join(', ')}, or a file.
With none: quickstart with ${DEFAULT_DEMO.durationSec} s of market (as --set durationSec=${DEFAULT_DEMO.durationSec}) at ${DEFAULT_DEMO.speed}x, about ${DEFAULT_DEMO.durationSec / DEFAULT_DEMO.speed / 60} min.
Keys on the page: Space pauses, + and - change speed. More in docs/demo.md.
Ctrl-C before the run ends stops it and keeps what it recorded (a partial run that replays).
Exit codes: 0 stopped with Ctrl-C, 1 the run failed or could not start, 2 bad command line,
130 a third Ctrl-C while a stopped run was being written.`;

export interface DemoArgs {
  help: boolean;
  /** Scenario name or file (default quickstart). */
  scenario: string;
  /** No scenario was named: the run is DEFAULT_DEMO's (quickstart with a longer market). */
  defaultRun: boolean;
  speed: number;
  port: number;
  backend: 'embedded' | 'regtest';
  network?: string;
  seed?: string | number;
  out?: string;
  set: string[];
  replay?: string;
}

/** Parses and checks the demo's arguments; throws LabError('usage', …) on anything wrong. */
export function parseDemoArgs(argv: string[]): DemoArgs {
  const { values, positionals } = parseOrRefuse(argv);
  refuseEmptyOptions(values);
  const defaultRun = positionals.length === 0 && values.replay === undefined;
  const speedText = values.speed ?? String(defaultRun ? DEFAULT_DEMO.speed : NAMED_SPEED);
  const speed = Number(speedText);
  if (!(speed >= MIN_SPEED && speed <= MAX_SPEED))
    throw usage(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, got "${speedText}"`);
  const port = portOption('port', values.port);
  const backend = asUsage(() => backendArg(values.backend, values.network));
  if (positionals.length > 1)
    throw usage(
      `expected at most one scenario name or file, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return {
    help: values.help,
    scenario: positionals[0] ?? DEFAULT_DEMO.scenario,
    defaultRun,
    speed,
    port,
    backend,
    set: values.set,
    ...(values.network !== undefined && { network: values.network }),
    ...(values.seed !== undefined && { seed: seedOption(values.seed) }),
    ...(values.out !== undefined && { out: values.out }),
    ...(values.replay !== undefined && { replay: values.replay }),
  };
}

function parseOrRefuse(argv: string[]) {
  try {
    return parseArgsOnce({
      args: argv,
      allowPositionals: true,
      options: {
        speed: { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string', default: String(DEMO_PORT) },
        out: { type: 'string' },
        backend: { type: 'string', default: 'embedded' },
        network: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        replay: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // Unknown option, missing value: worded as the sim CLI words them.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw parseArgsError(err);
    throw err;
  }
}

/** `--seed` as `sim run` takes it (an exact integer, or text that does not look like a number), pointing to --help. */
function seedOption(text: string): string | number {
  return asUsage(() => seedArg(text));
}

/** A check shared with `sim run`: its wording, pointing to --help as the demo's usage errors do. */
function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (isLabError(err, 'usage')) throw usage(err.message);
    throw err;
  }
}

const usage = usageError;
