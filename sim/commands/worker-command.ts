import { parseQueueUrl } from '../sweep/queue-connection.js';
import { startQueueWorker } from '../sweep/queue-worker.js';
import { LabError } from '../../infra/errors.js';
import { parseArgsOnce, refuseEmptyOptions } from '../../infra/cli-options.js';
import type { CommandIo, ExitCode } from './io.js';

/** Threads one worker starts (each loads the code and may hold a large market). */
const MAX_CONCURRENCY = 256;
/** One day: a lock (and the stalled-job check, as often) beyond Node's longest timer (~24.8 days) would fire every 1 ms. */
const MAX_LOCK_SEC = 86_400;

export const WORKER_HELP = `usage: sim worker --queue redis://host:port [options]

Runs the jobs of distributed sweeps (\`sim sweep <scenario> --queue …\`) from a
Redis queue until stopped (Ctrl-C or SIGTERM lets running jobs finish). Start
any number of workers on any number of machines that reach the same Redis;
each runs the project's code from its own checkout, so use the coordinator's commit.

  --queue URL           redis://[user:password@]host:port[/db] (rediss:// for TLS)
  --concurrency N       jobs at once, each in its own thread, all started at once
                        (default 1, at most ${MAX_CONCURRENCY})
  --lock-sec S          a job's lock in seconds: a worker that dies mid-job has its
                        job retried elsewhere after about 2 × S (default 30, at most ${MAX_LOCK_SEC})
  -h, --help            this help`;

/** `sim worker`: a queue worker until SIGINT or SIGTERM. */
export async function workerCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgsOnce({
    args: argv,
    allowPositionals: true,
    options: {
      queue: { type: 'string' },
      concurrency: { type: 'string' },
      'lock-sec': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(WORKER_HELP);
    return 0;
  }
  if (positionals.length)
    throw new LabError('usage', `unexpected argument "${positionals[0]}"\n\n${WORKER_HELP}`);
  if (!values.queue) throw new LabError('usage', `--queue is required\n\n${WORKER_HELP}`);
  const target = parseQueueUrl(values.queue);
  const concurrency = positive(values.concurrency, '--concurrency', MAX_CONCURRENCY) ?? 1;
  const lockSec = positive(values['lock-sec'], '--lock-sec', MAX_LOCK_SEC) ?? 30;
  const worker = await startQueueWorker(target, {
    concurrency,
    lockMs: lockSec * 1000,
    log: (line) => io.err(line),
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.err(`${signal}: finishing running jobs, then stopping`);
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  await worker.close();
  return 0;
}

function positive(v: string | undefined, flag: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new LabError('usage', `${flag} expects an integer from 1 to ${max}, got "${v}"`);
  return Number(v);
}
