import type { Msat } from '../../money.js';
import { LabError } from '../../errors.js';

/** Tuning of the payer's memory of failures, with LND's defaults. */
export interface MissionControlOptions {
  /** Success probability of a channel we know nothing about (LND apriori: 0.6). */
  aprioriProbability?: number;
  /** Time for a failure's penalty to halve (LND: 1 hour). */
  penaltyHalfLifeMs?: number;
  /** Probability after a recent success at this amount or more. */
  successProbability?: number;
}

interface PairResult {
  failAmount: Msat;
  failAt: number;
  successAmount: Msat;
}

/**
 * What one payer has learned about channels from its own attempts, like
 * LND's mission control with the apriori estimator: a channel that failed
 * to carry `x` is unlikely to carry `≥ x` for a while, and the penalty fades
 * with a half-life on the injected clock. Channels close to their capacity
 * are less likely to have the liquidity (LND's capacity factor).
 */
export class MissionControl {
  readonly #pairs = new Map<number, PairResult>();
  readonly #apriori: number;
  readonly #halfLife: number;
  readonly #success: number;
  #last = { amount: NaN, capacity: NaN, p: 0 };
  /** Bumped on each change, so cached routes know when they went stale. */
  version = 0;

  constructor(options: MissionControlOptions = {}) {
    checkMissionControlOptions(options);
    const { aprioriProbability = 0.6, penaltyHalfLifeMs = 3_600_000, successProbability = 0.95 } = options;
    this.#apriori = aprioriProbability;
    this.#halfLife = penaltyHalfLifeMs;
    this.#success = successProbability;
  }

  /** The apriori probability: every payer with the same one estimates a channel it has no record of alike. */
  get apriori(): number {
    return this.#apriori;
  }

  /** Estimated probability that a channel of `capacityMsat` this payer has no record of forwards `amountMsat`. */
  prior(amountMsat: Msat, capacityMsat: Msat): number {
    // A search asks for one amount over many channels, mostly of a few capacities: the last answer often serves.
    if (amountMsat !== this.#last.amount || capacityMsat !== this.#last.capacity)
      this.#last = {
        amount: amountMsat,
        capacity: capacityMsat,
        p: this.#apriori * capacityFactor(amountMsat, capacityMsat),
      };
    return this.#last.p;
  }

  /** Estimated probability that edge `e` forwards `amountMsat` now. */
  probability(e: number, amountMsat: Msat, capacityMsat: Msat, now: number): number {
    let p = this.prior(amountMsat, capacityMsat);
    const r = this.#pairs.get(e);
    if (!r) return p;
    if (r.successAmount >= amountMsat) p = Math.max(p, this.#success);
    if (r.failAt >= 0 && amountMsat >= r.failAmount) {
      const age = Math.max(0, now - r.failAt);
      p *= 1 - Math.pow(2, -age / this.#halfLife);
    }
    return p;
  }

  /** Edge `e` could not carry `amountMsat` at time `now`. */
  recordFailure(e: number, amountMsat: Msat, now: number): void {
    const r = this.#get(e);
    // A smaller failing amount is stronger news; a later one refreshes the penalty.
    r.failAmount = r.failAt < 0 ? amountMsat : Math.min(r.failAmount, amountMsat);
    r.failAt = now;
    if (r.successAmount >= amountMsat) r.successAmount = amountMsat - 1;
    this.version++;
  }

  /**
   * Edge `e` carried `amountMsat`. Does not bump the version: a success only
   * makes the routes that used `e` more attractive, so a cached route through
   * it stays the best answer (and repeat purchases keep hitting the cache).
   */
  recordSuccess(e: number, amountMsat: Msat): void {
    const r = this.#get(e);
    if (amountMsat <= r.successAmount) return;
    r.successAmount = amountMsat;
    if (r.failAt >= 0 && r.failAmount <= amountMsat) r.failAmount = amountMsat + 1;
  }

  /** The edges with a record (of a success or a failure). */
  recordedEdges(): IterableIterator<number> {
    return this.#pairs.keys();
  }

  /** Number of channels with a record (for reports). */
  get size(): number {
    return this.#pairs.size;
  }

  #get(e: number): PairResult {
    let r = this.#pairs.get(e);
    if (!r) {
      r = { failAmount: 0, failAt: -1, successAmount: 0 };
      this.#pairs.set(e, r);
    }
    return r;
  }
}

/** Refuses a probability outside 0..1, naming the option: the router counts on none above 1 (no weight below the attempt cost). */
export function checkMissionControlOptions(o: MissionControlOptions): void {
  for (const name of ['aprioriProbability', 'successProbability'] as const) {
    const v = o[name];
    if (v !== undefined && !(v >= 0 && v <= 1))
      throw new LabError(
        'invalid_payment_options',
        `missionControl.${name} must be a probability in 0..1, got ${String(v)}`,
      );
  }
}

/**
 * LND's capacity factor: close to 1 for small amounts, falling steeply as
 * the amount nears 75% of the capacity (smearing 10%).
 */
export function capacityFactor(amountMsat: Msat, capacityMsat: Msat): number {
  if (capacityMsat <= 0) return 0;
  const x = (amountMsat - 0.75 * capacityMsat) / (0.1 * capacityMsat);
  return 1 - 1 / (1 + Math.exp(-x));
}
