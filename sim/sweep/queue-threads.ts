import type { Worker } from 'node:worker_threads';
import type { SweepJob, SweepReply } from './protocol.js';
import { spawnWorker } from './pool.js';
import { sourceVersion } from './code-version.js';
import { LabError } from '../../infra/errors.js';

/** The source on disk is not the code the worker's threads run (a `git pull` under a running worker). */
export type ThreadsErrorCode = 'code_changed';

// A job that fails at once (empty YAML): its reply says the thread has loaded every module runJob needs.
const WARM_UP: SweepJob = { id: -1, scenario: 'warm-up', text: '', overrides: {}, seed: 0 };

/**
 * `size` sweep worker threads (the local pool's), all started up front and reused. A queue
 * worker runs each job in a thread so its event loop stays free to renew the job's lock while a
 * long run computes. `code` is the version of the source the threads loaded: a thread that
 * crashed is replaced only while the source on disk is still that version.
 */
export class SweepThreads {
  readonly code: string;
  readonly #size: number;
  readonly #version: () => string;
  readonly #spawnThread: () => Worker;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();
  readonly #waiting: { resolve: (w: Worker) => void; reject: (e: Error) => void }[] = [];

  private constructor(size: number, code: string, version: () => string, spawn: () => Worker) {
    this.#size = size;
    this.code = code;
    this.#version = version;
    this.#spawnThread = spawn;
  }

  /**
   * Starts `size` threads and waits until each has loaded the code. The source is fingerprinted
   * before and after: if it changed meanwhile (a checkout in progress), the threads may have loaded
   * a mix, and this refuses to start. `version` and `spawn` are for tests.
   */
  static async start(
    size: number,
    version: () => string = sourceVersion,
    spawn: () => Worker = spawnWorker,
  ): Promise<SweepThreads> {
    const before = version();
    const threads = new SweepThreads(size, before, version, spawn);
    for (let i = 0; i < size; i++) threads.#idle.push(threads.#spawn());
    try {
      await Promise.all(threads.#idle.map((w) => threads.#runOn(w, WARM_UP, false)));
    } catch (err) {
      await threads.close();
      throw err;
    }
    const after = version();
    if (after !== before) {
      await threads.close();
      throw new LabError<ThreadsErrorCode>(
        'code_changed',
        `the source changed while the worker's threads loaded it (code ${before}, then ${after}): ` +
          'wait for the checkout to finish, then start the worker again',
      );
    }
    return threads;
  }

  /** Runs one job in a free thread; rejects if the thread dies (the thread is then replaced). */
  async run(job: SweepJob): Promise<SweepReply> {
    return this.#runOn(await this.#acquire(), job, true);
  }

  /** Stops every thread (a running job is abandoned). */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((w) => w.terminate()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  #runOn(w: Worker, job: SweepJob, release: boolean): Promise<SweepReply> {
    return new Promise<SweepReply>((resolve, reject) => {
      const detach = () => {
        w.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const onMessage = (reply: SweepReply) => {
        detach();
        if (release) this.#release(w);
        resolve(reply);
      };
      const onError = (err: Error) => {
        detach();
        this.#drop(w);
        reject(new Error(`the sweep thread crashed running job ${job.id}: ${err.message}`, { cause: err }));
      };
      // A thread that ends without an error event (process.exit in it) would otherwise leave the job
      // waiting forever, its queue lock renewed by this thread's event loop.
      const onExit = (code: number) => {
        detach();
        this.#drop(w);
        reject(new Error(`the sweep thread exited with code ${code} running job ${job.id}`));
      };
      w.once('message', onMessage).once('error', onError).once('exit', onExit);
      w.postMessage(job);
    });
  }

  // A thread that crashed or exited: forgotten, and a job waiting for a thread gets its replacement.
  #drop(w: Worker): void {
    this.#all.delete(w);
    const idle = this.#idle.indexOf(w);
    if (idle >= 0) this.#idle.splice(idle, 1);
    void w.terminate();
    const next = this.#waiting.shift();
    if (next) this.#replace().then(next.resolve, next.reject);
  }

  #acquire(): Promise<Worker> {
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < this.#size) return this.#replace();
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(w: Worker): void {
    const next = this.#waiting.shift();
    if (next) next.resolve(w);
    else this.#idle.push(w);
  }

  // A thread in place of one that crashed: it loads the source on disk now, so only if that is still `code`.
  async #replace(): Promise<Worker> {
    const now = this.#version();
    if (now !== this.code)
      throw new LabError<ThreadsErrorCode>(
        'code_changed',
        `the source on disk changed since this worker started (it runs code ${this.code}, the disk has ${now}), ` +
          'so a new thread would run other code: restart the worker to run the new code',
      );
    return this.#spawn();
  }

  #spawn(): Worker {
    const w = this.#spawnThread();
    this.#all.add(w);
    return w;
  }
}
