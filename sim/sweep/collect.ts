import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summaryJson } from '../report/write-run.js';
import { digestRun, type DigestedRun, type RunDigest } from './digest.js';
import { clearSweepOutputs } from './out-dir.js';
import type { SweepJob, SweepReply } from './protocol.js';
import { LabError } from '../../infra/errors.js';

/** A failed run of a sweep, kept with its point and seed. */
export interface SweepFailure {
  point: string;
  seed: string | number;
  code: string;
  message: string;
}

/**
 * What a sweep keeps of its replies as they arrive, in any order: a finished run's summary goes
 * to its `runs/point-P/seed-S/summary.json` at once (with an out directory; the first write
 * removes a previous sweep's outputs) and only its digest stays in memory; a failed run is kept
 * as its failure. Both come back in job order, so the merge does not depend on which run
 * finished first. A failed write is thrown by `check`, once the runs are over, and so is a point
 * whose runs ran different scenarios apart from their seeds (different `pointHash`es: the scenario
 * changed mid-sweep).
 */
export class RunCollector {
  private readonly digests: (RunDigest | undefined)[];
  private readonly failed: (SweepFailure | undefined)[];
  /** Per grid point: the scenario hash without the seed its first finished run reported, and that run's seed. */
  private readonly hashes: ({ hash: string; seed: string | number } | undefined)[] = [];
  private mismatch: LabError<'scenario_changed'> | undefined;
  private outReady = false;
  private writeError: unknown;

  /** `jobs[i].id` is `i`; `labels` names each grid point, whose runs are `seeds` consecutive jobs. */
  constructor(
    private readonly jobs: readonly SweepJob[],
    private readonly labels: readonly string[],
    private readonly seeds: number,
    private readonly outDir?: string,
  ) {
    this.digests = new Array<RunDigest | undefined>(jobs.length);
    this.failed = new Array<SweepFailure | undefined>(jobs.length);
  }

  add(reply: SweepReply): void {
    const point = this.pointOf(reply.id);
    const seed = this.jobs[reply.id]!.seed;
    if (!reply.ok) {
      const { code, message } = reply;
      this.failed[reply.id] = { point: this.labels[point]!, seed, code, message };
      return;
    }
    this.digests[reply.id] = digestRun(reply.summary);
    this.checkHash(point, seed, reply.pointHash);
    if (this.outDir === undefined || this.writeError !== undefined) return;
    try {
      const dir = join(this.out(), 'runs', `point-${point}`, `seed-${seed}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'summary.json'), summaryJson(reply.summary));
    } catch (err) {
      this.writeError = err;
    }
  }

  /** The out directory, a previous sweep's outputs removed from it before its first write. */
  out(): string {
    if (this.outDir === undefined) throw new Error('this sweep has no out directory');
    if (!this.outReady) {
      clearSweepOutputs(this.outDir);
      mkdirSync(this.outDir, { recursive: true });
      this.outReady = true;
    }
    return this.outDir;
  }

  /** Throws the first point whose runs ran different scenarios, else the first failed write of a run's summary.json. */
  check(): void {
    if (this.mismatch !== undefined) throw this.mismatch;
    if (this.writeError !== undefined) throw this.writeError;
  }

  /** Each grid point's scenario hash without the seed, as its runs reported it (null for a point with no finished run). */
  pointHashes(): (string | null)[] {
    return this.labels.map((_, i) => this.hashes[i]?.hash ?? null);
  }

  // Every run of a point must run one scenario: else the merge would pool two markets under one label.
  private checkHash(point: number, seed: string | number, hash: string): void {
    const first = this.hashes[point];
    if (first === undefined) this.hashes[point] = { hash, seed };
    else if (first.hash !== hash && this.mismatch === undefined)
      this.mismatch = new LabError(
        'scenario_changed',
        `grid point ${point} (${this.labels[point]}): seed ${first.seed} ran scenario ${first.hash.slice(0, 12)}… ` +
          `but seed ${seed} ran ${hash.slice(0, 12)}…, so its runs are of different markets and were not merged; ` +
          'keep the scenario file and the code unchanged while a sweep runs, then run the sweep again',
      );
  }

  /** The finished runs' digests, in job order. */
  runs(): DigestedRun[] {
    return this.digests.flatMap((digest, i) =>
      digest ? [{ point: this.pointOf(i), seed: this.jobs[i]!.seed, digest }] : [],
    );
  }

  /** The failed runs, in job order. */
  failures(): SweepFailure[] {
    return this.failed.filter((f) => f !== undefined);
  }

  private pointOf(id: number): number {
    return Math.floor(id / this.seeds);
  }
}
