import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { loadScenario, resolveScenarioPath } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { connectRedis, parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { queueTransport } from '../../sim/sweep/queue-coordinator.js';
import { readFailedJobs } from '../../sim/sweep/queue-replies.js';
import { QUEUE_NAME, jobKey, resultsKey } from '../../sim/sweep/queue-plan.js';
import { codeVersion } from '../../sim/sweep/code-version.js';
import { textKey, textRef } from '../../sim/sweep/queue-files.js';
import type { SweepReply } from '../../sim/sweep/protocol.js';
import { ROOT, cli, redisSuite, simLn, startRedis, type Cli, type TestRedis } from './queue-harness.js';

const suite = (body: () => void) =>
  redisSuite(
    'queued jobs: failed runs, network files, foreign payloads (real redis-server, a worker in a child process)',
    body,
  );

// Short runs of quickstart: every sweep here.
const BASE = { durationSec: 10, drainSec: 20 };

suite(() => {
  let redis: TestRedis;
  let w: Cli;
  const url = () => redis.url(1);
  const starts = (sweep: string) =>
    w.lines.filter((l) => l.startsWith(`start ${sweep}-`)).map((l) => l.split(':')[0]!.slice(6));
  const queueOf = (db: number) =>
    new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db } });

  /** A queued sweep of `file` (the coordinator in this process) and the lines it logged. */
  async function queued(
    file: string,
    grid: string[],
    seeds: number,
    hold?: (sweep: string) => Promise<void>,
  ) {
    const lines: string[] = [];
    const transport = queueTransport(parseQueueUrl(url()), {
      scenario: { file, text: readFileSync(file, 'utf8') },
      pollMs: 100,
      log: (l) => lines.push(l),
    });
    const loaded = loadScenario(file, { overrides: BASE, checks: scenarioChecks });
    const axes = parseGridArgs(grid);
    const out = runSweep({ scenario: file, loaded, axes, seeds, workers: 0, base: BASE, transport });
    if (hold) {
      while (lines.length === 0) await sleep(20);
      await hold(/^sweep (\w+) on /.exec(lines[0]!)![1]!);
    }
    const done = await out;
    return { ...done, sweep: /^sweep (\w+) on /.exec(lines[0]!)![1]!, lines };
  }
  const inline = (file: string, grid: string[], seeds: number) => {
    const loaded = loadScenario(file, { overrides: BASE, checks: scenarioChecks });
    return runSweep({ scenario: file, loaded, axes: parseGridArgs(grid), seeds, workers: 0, base: BASE });
  };

  beforeAll(async () => {
    redis = await startRedis();
    w = cli(['worker', '--queue', redis.url(1)]);
    await w.line(/^worker ready/);
  }, 60_000);

  afterAll(async () => {
    if (w && w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await w?.exited;
    await redis?.stop();
  });

  it('a resumed sweep runs its failed runs again and reports them, while a finished run is stored once and not rerun', async () => {
    const file = resolveScenarioPath('quickstart');
    const grid = ['buyers[0].budgetMsat=-1,400000'];
    const first = await queued(file, grid, 1);
    const again = await queued(file, grid, 1);
    expect(again.sweep).toBe(first.sweep);
    expect(again.lines[0]).toBe(
      `sweep ${first.sweep} on ${url()} (code ${codeVersion()}): 1 of 2 runs already done; ` +
        `runs are done by workers (npm run sim -- worker --queue ${url()})`,
    );
    const local = await inline(file, grid, 1);
    expect(local.failures.map((f) => [f.point, f.code])).toEqual([
      ['buyers[0].budgetMsat=-1', 'invalid_scenario'],
    ]);
    expect(first.failures).toEqual(local.failures);
    expect(again.failures).toEqual(local.failures);
    expect(again.result).toEqual(first.result);
    expect(starts(first.sweep).sort()).toEqual([0, 0, 1].map((i) => jobKey(first.sweep, i)));
  }, 120_000);

  it('a scenario’s network.file travels with its jobs: the worker runs without the file, and a changed file is a new sweep with the local results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-queue-network-'));
    const net = join(dir, 'net.json');
    const rel = relative(ROOT, net); // network.file is read relative to the working directory (here ROOT)
    const scenario = join(dir, 'nf.yaml');
    const quickstart = readFileSync(resolveScenarioPath('quickstart'), 'utf8');
    writeFileSync(
      scenario,
      quickstart.replace('  topology: { kind: hub_and_spoke, hubs: 1 }', `  file: ${rel}`),
    );
    const grid = ['buyers[0].decider.name=cheapest,random'];
    writeFileSync(net, simLn(500));
    const local = await inline(scenario, grid, 1);
    expect(local.failures).toEqual([]);
    const queue = queueOf(1);
    await queue.pause();
    // Enqueued with the file's content; the file is gone before any worker starts.
    const first = await queued(scenario, grid, 1, async () => {
      rmSync(net);
      await queue.resume();
    });
    expect(first.failures).toEqual([]);
    expect(first.result).toEqual(local.result);
    // The file changes: the same command is another sweep, run afresh, with the new file's results.
    writeFileSync(net, simLn(50_000));
    const changedLocal = await inline(scenario, grid, 1);
    expect(changedLocal.result).not.toEqual(local.result);
    const second = await queued(scenario, grid, 1);
    expect(second.sweep).not.toBe(first.sweep);
    expect(second.lines[0]).toMatch(/: 0 of 2 runs already done; /);
    expect(second.result).toEqual(changedLocal.result);
    await queue.close();
  }, 180_000);

  /** A scenario naming a network file (`simLn(777)`, used by no other test), both in a fresh directory. */
  function withNetworkFile() {
    const dir = mkdtempSync(join(tmpdir(), 'sim-queue-texts-'));
    const net = join(dir, 'net.json');
    writeFileSync(net, simLn(777));
    const scenario = join(dir, 'nf.yaml');
    const quickstart = readFileSync(resolveScenarioPath('quickstart'), 'utf8');
    const yaml = quickstart.replace(
      '  topology: { kind: hub_and_spoke, hubs: 1 }',
      `  file: ${relative(ROOT, net)}`,
    );
    writeFileSync(scenario, yaml);
    return { scenario, yaml, net: readFileSync(net, 'utf8'), path: relative(ROOT, net) };
  }

  /** Holds a paused queue until it has `n` jobs, runs `then` with the sweep's id, and resumes it. */
  const whenQueued =
    (queue: Queue, n: number, then: (sweep: string) => Promise<void>) => async (sweep: string) => {
      while ((await queue.count()) < n) await sleep(20);
      await then(sweep);
      await queue.resume();
    };
  const textKeys = async () => (await redis.client(1).keys('sim-sweep:text:*')).sort();

  it('a queued sweep stores its scenario and network file once in Redis under their SHA-256, and each job names them by it', async () => {
    const f = withNetworkFile();
    const queue = queueOf(1);
    await queue.pause();
    const before = await textKeys();
    let added: string[] = [];
    let job0: unknown;
    const done = await queued(
      f.scenario,
      ['buyers[0].decider.name=cheapest,random'],
      2,
      whenQueued(queue, 4, async (sweep) => {
        added = (await textKeys()).filter((k) => !before.includes(k));
        job0 = (await queue.getJob(jobKey(sweep, 0)))!.data.job;
      }),
    );
    expect(added).toEqual([textKey(textRef(f.yaml)), textKey(textRef(f.net))].sort());
    expect(job0).toEqual({
      id: 0,
      scenario: f.scenario,
      overrides: { ...BASE, 'buyers[0].decider.name': 'cheapest' },
      seed: 1,
      textRef: textRef(f.yaml),
      networkFile: { path: f.path, ref: textRef(f.net) },
    });
    expect(done.failures).toEqual([]);
    await queue.close();
  }, 120_000);

  it('a job whose scenario text is gone from Redis fails for good saying to run the sweep again, which then finishes with the local results', async () => {
    // A scenario text no earlier sweep used, so the worker holds no copy of it.
    const file = join(mkdtempSync(join(tmpdir(), 'sim-queue-gone-')), 'gone.yaml');
    writeFileSync(file, `# text gone\n${readFileSync(resolveScenarioPath('quickstart'), 'utf8')}`);
    const grid = ['buyers[0].decider.name=cheapest'];
    const queue = queueOf(1);
    await queue.pause();
    const ref = textRef(readFileSync(file, 'utf8'));
    const first = await queued(
      file,
      grid,
      1,
      whenQueued(queue, 1, async () => {
        await redis.client(1).del(textKey(ref));
      }),
    );
    expect(first.failures.map((f) => [f.code, f.message])).toEqual([
      [
        'job_failed',
        `the sweep's scenario (${ref.slice(0, 12)}…) is no longer in Redis (expired after 7 days, or deleted): ` +
          'run the sweep command again, which stores it again and re-runs this job',
      ],
    ]);
    const again = await queued(file, grid, 1);
    expect(again.failures).toEqual([]);
    expect(again.result).toEqual((await inline(file, grid, 1)).result);
    await queue.close();
  }, 120_000);

  it('a resumed coordinator finds which missing jobs had failed in one pipelined lookup: no HGETALL per job', async () => {
    const queue = queueOf(1);
    // A job of another format, which the worker fails for good: the failed set is not empty.
    await queue.add('run', { v: 1 }, { jobId: 'other-0', attempts: 1 });
    while ((await queue.getJobState('other-0')) !== 'failed') await sleep(50);
    await queue.pause();
    const admin = redis.client(1);
    await admin.config('RESETSTAT');
    let lookups = '';
    await queued(
      resolveScenarioPath('quickstart'),
      ['buyers[0].decider.name=cheapest,random'],
      4,
      whenQueued(queue, 8, async () => {
        lookups = /cmdstat_hgetall:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? '0';
      }),
    );
    expect(lookups).toBe('0');
    await queue.close();
  }, 120_000);

  it('a foreign job overriding __proto__.polluted fails for good with the reason, and the worker’s next sweep runs cleanly', async () => {
    const queue = queueOf(1);
    const text = readFileSync(resolveScenarioPath('quickstart'), 'utf8');
    const data = {
      v: 3,
      sweep: 'foreign',
      code: codeVersion(),
      job: {
        id: 3,
        scenario: 'x.yaml',
        textRef: textRef(text),
        overrides: { '__proto__.polluted': 1 },
        seed: 1,
      },
    };
    await queue.add('run', data, { jobId: 'foreign-3', attempts: 1 });
    while (!['failed', 'completed'].includes(await queue.getJobState('foreign-3'))) await sleep(50);
    const job = await queue.getJob('foreign-3');
    expect(job!.failedReason).toBe(
      'malformed job: override "__proto__.polluted": "__proto__" cannot be a key (no path may contain __proto__, constructor or prototype): ' +
        "use the scenario's own keys, such as buyers[0].budgetMsat",
    );
    const file = resolveScenarioPath('quickstart');
    const after = await queued(file, ['buyers[0].decider.name=cheapest'], 1);
    expect(after.failures).toEqual([]);
    expect(after.result).toEqual((await inline(file, ['buyers[0].decider.name=cheapest'], 1)).result);
    await queue.close();
  }, 120_000);

  it('a job whose payload names another job of its sweep fails for good, never storing a reply under that job', async () => {
    const queue = queueOf(1);
    const text = readFileSync(resolveScenarioPath('quickstart'), 'utf8');
    const data = {
      v: 3,
      sweep: 'foreign',
      code: codeVersion(),
      job: { id: 3, scenario: 'x.yaml', textRef: textRef(text), overrides: {}, seed: 1 },
    };
    await queue.add('run', data, { jobId: 'foreign-9', attempts: 1 });
    while (!['failed', 'completed'].includes(await queue.getJobState('foreign-9'))) await sleep(50);
    expect((await queue.getJob('foreign-9'))!.failedReason).toBe(
      'malformed job: job foreign-9 carries job foreign-3',
    );
    expect(await redis.client(1).hlen(resultsKey('foreign'))).toBe(0);
    await queue.close();
  }, 60_000);

  it('a coordinator looks up only its own pending jobs among the failed ones: one HGETALL for its one failed job beside 40 of another sweep', async () => {
    const queue = queueOf(3);
    const old = Array.from({ length: 40 }, (_, i) => ({
      name: 'run',
      data: { v: 1 },
      opts: { jobId: `old-${i}` },
    }));
    await queue.addBulk([...old, { name: 'run', data: { v: 1 }, opts: { jobId: 'mine-0' } }]);
    const failer = new Worker(
      QUEUE_NAME,
      (job) => Promise.reject(new UnrecoverableError(`refused ${job.id}`)),
      {
        connection: { host: '127.0.0.1', port: redis.port, db: 3 },
      },
    );
    while ((await queue.getFailedCount()) < 41) await sleep(50);
    await failer.close();
    const conn = await connectRedis(parseQueueUrl(redis.url(3)));
    const admin = redis.client(3);
    await admin.config('RESETSTAT');
    const recorded: SweepReply[] = [];
    await readFailedJobs(queue, conn, 'mine', [0, 1], (r) => recorded.push(r));
    const stats = await admin.info('commandstats');
    expect(/cmdstat_hgetall:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
    expect(recorded).toEqual([{ id: 0, ok: false, code: 'job_failed', message: 'refused mine-0' }]);
    conn.disconnect();
    await queue.close();
  }, 60_000);
});
