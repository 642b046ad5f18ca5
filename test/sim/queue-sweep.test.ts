import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { LabError } from '../../infra/errors.js';
import { loadScenario, resolveScenarioPath } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { queueTransport } from '../../sim/sweep/queue-coordinator.js';
import { QUEUE_NAME, jobKey, resultsKey, type QueuedJob } from '../../sim/sweep/queue-plan.js';
import { codeVersion } from '../../sim/sweep/code-version.js';
import { cli, redisSuite, startRedis, tree, type Cli, type TestRedis } from './queue-harness.js';

// 2 points × `seeds` seeds of a short quickstart: the sweep every test here distributes (2 seeds unless named).
const sweepArgs = (seeds = 2, durationSec = 10) => [
  'sweep',
  'quickstart',
  '--grid',
  'buyers[0].decider.name=cheapest,random',
  '--seeds',
  String(seeds),
  '--set',
  `durationSec=${durationSec}`,
  '--set',
  'drainSec=20',
];
const SWEEP = sweepArgs();

const suite = (body: () => void) =>
  redisSuite('sweeps over a Redis queue (real redis-server, workers in child processes)', body);

suite(() => {
  let redis: TestRedis;
  let local: Cli;
  let w: Cli; // the worker of db 1, shared by the tests after the first
  const localDir = mkdtempSync(join(tmpdir(), 'sim-queue-local-'));
  const started: Cli[] = [];
  const run = (args: string[]) => {
    const c = cli(args);
    started.push(c);
    return c;
  };
  const sweepIdOf = async (c: Cli) => /^sweep (\w+) on /.exec(await c.line(/^sweep \w+ on /))![1]!;
  const idsIn = (c: Cli, verb: string) =>
    c.lines.filter((l) => l.startsWith(`${verb} `)).map((l) => l.slice(verb.length + 1).split(':')[0]!);

  beforeAll(async () => {
    redis = await startRedis();
    // The reference: the same sweep on a local worker thread.
    local = run([...SWEEP, '--workers', '1', '--out', localDir]);
    w = run(['worker', '--queue', redis.url(1)]);
  });

  afterAll(async () => {
    for (const c of started) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await Promise.all(started.map((c) => c.exited));
    await redis?.stop();
  });

  it('a worker SIGKILLed mid-job loses nothing: its job is rerun by the other worker and the merged outputs equal the local sweep byte for byte', async () => {
    const url = redis.url(0);
    const a = run(['worker', '--queue', url, '--lock-sec', '2']);
    const b = run(['worker', '--queue', url, '--lock-sec', '2', '--concurrency', '2']);
    await Promise.all([a.line(/^worker ready/), b.line(/^worker ready/)]);
    const outDir = mkdtempSync(join(tmpdir(), 'sim-queue-q-'));
    const coordinator = run([...SWEEP, '--queue', url, '--out', outDir]);
    const sweep = await sweepIdOf(coordinator);
    await a.line(/^start /);
    a.proc.kill('SIGKILL');
    expect(await coordinator.exited).toBe(0);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const all = [0, 1, 2, 3].map((i) => jobKey(sweep, i));
    // A died in its first job; B ran the other three and, once A's lock lapsed, A's.
    const killed = idsIn(a, 'start');
    expect(killed).toHaveLength(1);
    expect(idsIn(a, 'done')).toEqual([]);
    expect(idsIn(b, 'start')).toContain(killed[0]);
    expect(idsIn(b, 'done').sort()).toEqual(all);
    expect(await redis.client(0).hkeys(resultsKey(sweep))).toHaveLength(4);
    expect(await local.exited).toBe(0);
    expect(tree(outDir)).toEqual(tree(localDir));
    expect(Object.keys(tree(outDir))).toContain('runs/point-1/seed-2/summary.json');
  }, 300_000);

  it('a run that fails is reported with its code and message, as the local sweep reports it', async () => {
    const url = redis.url(1);
    await w.line(/^worker ready/);
    const loaded = loadScenario('quickstart', { checks: scenarioChecks });
    const file = resolveScenarioPath('quickstart');
    const axes = parseGridArgs(['buyers[0].budgetMsat=-1']);
    const transport = queueTransport(parseQueueUrl(url), {
      scenario: { file, text: readFileSync(file, 'utf8') },
      pollMs: 100,
    });
    const queued = await runSweep({ scenario: 'quickstart', loaded, axes, seeds: 1, workers: 0, transport });
    const inline = await runSweep({ scenario: 'quickstart', loaded, axes, seeds: 1, workers: 0 });
    expect(queued.failures).toEqual(inline.failures);
    expect(queued.failures.map((f) => f.code)).toEqual(['invalid_scenario']);
  }, 120_000);

  it('a job BullMQ fails for good (a malformed payload) is reported with its reason and fails the sweep', async () => {
    const url = redis.url(1);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 1 } });
    await queue.pause(); // nothing runs until the job is spoilt
    const outDir = mkdtempSync(join(tmpdir(), 'sim-queue-fail-'));
    const coordinator = run([...sweepArgs(1), '--queue', url, '--out', outDir]);
    const sweep = await sweepIdOf(coordinator);
    let job = await queue.getJob(jobKey(sweep, 1));
    while (!job) {
      await sleep(100);
      job = await queue.getJob(jobKey(sweep, 1));
    }
    await job.updateData({ v: 99 });
    await queue.resume();
    expect(await coordinator.exited).toBe(1);
    const reason = "unknown job format (v=99): run workers from the coordinator's checkout";
    expect(coordinator.lines).toContain(
      `failed: buyers[0].decider.name=random seed 1: job_failed: ${reason}`,
    );
    const written = JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as { failures: unknown };
    expect(written.failures).toEqual([
      { point: 'buyers[0].decider.name=random', seed: 1, code: 'job_failed', message: reason },
    ]);
    await queue.close();
  }, 180_000);

  it('a worker refuses a job queued from other code: the run is reported failed with both versions, never merged', async () => {
    const url = redis.url(1);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 1 } });
    await queue.pause();
    const outDir = mkdtempSync(join(tmpdir(), 'sim-queue-code-'));
    const coordinator = run([...sweepArgs(1, 11), '--queue', url, '--out', outDir]);
    const sweep = await sweepIdOf(coordinator);
    let job = await queue.getJob(jobKey(sweep, 0));
    while (!job) {
      await sleep(100);
      job = await queue.getJob(jobKey(sweep, 0));
    }
    const data = job.data as QueuedJob;
    await job.updateData({ ...data, code: 'other-code' } satisfies QueuedJob);
    await queue.resume();
    expect(await coordinator.exited).toBe(1);
    const reason =
      `the sweep was queued from code other-code and this worker runs ${data.code}: ` +
      "run workers from the coordinator's checkout (same source and package-lock.json), then run the sweep again";
    expect(coordinator.lines).toContain(
      `failed: buyers[0].decider.name=cheapest seed 1: job_failed: ${reason}`,
    );
    expect(await redis.client(1).hexists(resultsKey(sweep), '0')).toBe(0);
    expect(data.code).toBe(codeVersion());
    await queue.close();
  }, 180_000);

  it('a coordinator that loses Redis mid-sweep stops with what to do instead of hanging', async () => {
    const own = await startRedis();
    const loaded = loadScenario('quickstart', { checks: scenarioChecks });
    const file = resolveScenarioPath('quickstart');
    const lines: string[] = [];
    const transport = queueTransport(parseQueueUrl(own.url(0)), {
      scenario: { file, text: readFileSync(file, 'utf8') },
      pollMs: 100,
      log: (l) => lines.push(l),
    });
    const axes = parseGridArgs(['buyers[0].decider.name=cheapest']);
    const sweeping = runSweep({ scenario: 'quickstart', loaded, axes, seeds: 1, workers: 0, transport });
    while (lines.length === 0) await sleep(50); // enqueued, no worker: waiting
    await own.stop();
    const err = await sweeping.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('redis_unreachable');
    expect((err as LabError).message).toMatch(
      new RegExp(
        `^lost Redis at ${own.url(0)} with 0 of 1 runs stored: .+\\. The stored runs stay there: once it answers again, run the same command to resume\\.$`,
      ),
    );
  }, 120_000);

  it('a coordinator killed mid-sweep resumes: the same command finds the stored runs, waits for the rest, and writes the local sweep’s bytes', async () => {
    const url = redis.url(1);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port, db: 1 } });
    const outDir = mkdtempSync(join(tmpdir(), 'sim-queue-resume-'));
    const first = run([...SWEEP, '--queue', url, '--out', outDir]);
    const sweep = await sweepIdOf(first);
    await w.line(new RegExp(`^done ${sweep}-`));
    first.proc.kill('SIGKILL');
    await first.exited;
    // Hold the rest back so the second coordinator's count is known.
    await queue.pause();
    while ((await queue.getActiveCount()) > 0) await sleep(100);
    const done = (await redis.client(1).hkeys(resultsKey(sweep))).length;
    const second = run([...SWEEP, '--queue', url, '--out', outDir]);
    expect(await second.line(/^sweep /)).toBe(
      `sweep ${sweep} on ${url} (code ${codeVersion()}): ${done} of 4 runs already done; runs are done by workers (npm run sim -- worker --queue ${url})`,
    );
    await queue.resume();
    expect(await second.exited).toBe(0);
    w.proc.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    // Every run ran once, whichever coordinator was waiting for it.
    const mine = idsIn(w, 'start').filter((id) => id.startsWith(`${sweep}-`));
    expect(mine.sort()).toEqual([0, 1, 2, 3].map((i) => jobKey(sweep, i)));
    await queue.close();
    expect(await local.exited).toBe(0);
    expect(tree(outDir)).toEqual(tree(localDir));
  }, 300_000);
});
