import type { Worker } from 'node:worker_threads';
import type { SweepJob, SweepReply } from './protocol.js';
import { spawnWorker } from './pool.js';

/**
 * Up to `size` sweep worker threads (the local pool's), started on demand and reused.
 * A queue worker runs each job in a thread so its event loop stays free to renew the
 * job's lock while a long run computes.
 */
export class SweepThreads {
  readonly #size: number;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();
  readonly #waiting: ((w: Worker) => void)[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  /** Runs one job in a free thread; rejects if the thread dies (the thread is then replaced). */
  async run(job: SweepJob): Promise<SweepReply> {
    const w = await this.#acquire();
    return new Promise<SweepReply>((resolve, reject) => {
      const onMessage = (reply: SweepReply) => {
        w.off('error', onError);
        this.#release(w);
        resolve(reply);
      };
      const onError = (err: Error) => {
        w.off('message', onMessage);
        this.#all.delete(w);
        void w.terminate();
        const next = this.#waiting.shift();
        if (next) next(this.#spawn());
        reject(new Error(`the sweep thread crashed running job ${job.id}: ${err.message}`, { cause: err }));
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(job);
    });
  }

  /** Stops every thread (a running job is abandoned). */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((w) => w.terminate()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  #acquire(): Promise<Worker> {
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < this.#size) return Promise.resolve(this.#spawn());
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(w: Worker): void {
    const next = this.#waiting.shift();
    if (next) next(w);
    else this.#idle.push(w);
  }

  #spawn(): Worker {
    const w = spawnWorker();
    this.#all.add(w);
    return w;
  }
}
