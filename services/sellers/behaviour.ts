import type { MiddlewareHandler } from 'hono';
import type { Rng } from '../../infra/random.js';
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
  readonly middleware: MiddlewareHandler;
  readonly inUse: number;
}

/**
 * A concurrency limit in front of the paywall: when every slot is busy the
 * seller answers 503 before quoting or counting anything, so nobody pays
 * for a call that cannot run. A slot is held for the whole request.
 */
export function capacityGate(capacity: number | undefined, retryAfterSec: number): CapacityGate {
  let inUse = 0;
  const middleware: MiddlewareHandler = async function capacity_(c, next) {
    if (capacity !== undefined && inUse >= capacity) {
      return c.json(
        { error: 'at_capacity', message: `all ${capacity} slots are busy; retry in ${retryAfterSec} s` },
        503,
        { 'Retry-After': String(retryAfterSec) },
      );
    }
    inUse++;
    try {
      await next();
    } finally {
      inUse--;
    }
  };
  return {
    middleware,
    get inUse() {
      return inUse;
    },
  };
}
