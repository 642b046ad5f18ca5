import type { Context, MiddlewareHandler } from 'hono';
import type { Rng } from '../../infra/random.js';
import { markNotRun } from '../paywall/index.js';
import type { LatencySpec } from './config.js';

/** Draws one service time (ms) from `spec` using `rng`; never negative, rounded to whole ms. */
export function drawLatencyMs(spec: LatencySpec, rng: Rng): number {
  let v: number;
  switch (spec.kind) {
    case 'fixed':
      v = spec.ms;
      break;
    case 'uniform':
      v = spec.minMs + rng.next() * (spec.maxMs - spec.minMs);
      break;
    case 'lognormal':
      v = spec.medianMs === 0 ? 0 : Math.exp(rng.normal(Math.log(spec.medianMs), spec.sigma));
      break;
    case 'exponential':
      v = rng.exponential(spec.meanMs);
      break;
  }
  // Cap at an hour so a far tail draw cannot park a request forever.
  return Math.min(3_600_000, Math.max(0, Math.round(v)));
}

/** Typical service time of `spec` (for Retry-After hints). */
export function typicalLatencyMs(spec: LatencySpec): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return (spec.minMs + spec.maxMs) / 2;
    case 'lognormal':
      return spec.medianMs;
    case 'exponential':
      return spec.meanMs;
  }
}

/** Counts calls in progress and refuses more than `capacity` with 503 + Retry-After. */
export interface CapacityGate {
  /** In front of the paywall: 503 while every slot is busy, before quoting or counting; takes no slot. */
  readonly refuseWhenFull: MiddlewareHandler;
  /** Behind the paywall, around the handler: holds a slot while the call runs (503 if none is free). */
  readonly middleware: MiddlewareHandler;
  readonly inUse: number;
}

/**
 * A concurrency limit on the handler. When every slot is busy the seller
 * answers 503 before quoting or counting anything, so nobody pays for a
 * call that cannot run; a slot is held only while the handler runs, not
 * while the paywall waits (a pay-on-success retry waits up to its hold
 * timeout for an HTLC that may never come). A paid call that finds every
 * slot taken after the paywall gets the 503 too, marked not run: the paywall
 * gives its call back (uncounted, whatever `maxCallsGivenBack`), or cancels
 * its hold without using a `holdRefundRate` refund.
 */
export function capacityGate(capacity: number | undefined, retryAfterSec: number): CapacityGate {
  let inUse = 0;
  const full = () => capacity !== undefined && inUse >= capacity;
  const busy = (c: Context) =>
    c.json(
      { error: 'at_capacity', message: `all ${capacity} slots are busy; retry in ${retryAfterSec} s` },
      503,
      { 'Retry-After': String(retryAfterSec) },
    );
  const refuseWhenFull: MiddlewareHandler = async function capacityCheck(c, next) {
    if (full()) return busy(c);
    await next();
  };
  const middleware: MiddlewareHandler = async function capacity_(c, next) {
    if (full()) {
      markNotRun(c);
      return busy(c);
    }
    inUse++;
    try {
      await next();
    } finally {
      inUse--;
    }
  };
  return {
    refuseWhenFull,
    middleware,
    get inUse() {
      return inUse;
    },
  };
}
