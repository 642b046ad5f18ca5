import type { Rng } from '../../random.js';

/**
 * How long one HTLC update takes to cross one channel (add, or settle/fail
 * on the way back), in milliseconds of the injected clock. A payment over
 * n hops sleeps 2n draws when it succeeds: n forward, n back.
 */
export interface LatencyModel {
  /** One hop's delay; `rng` is the paying node's latency stream, so runs repeat. */
  hopMs(rng: Rng): number;
  /** Human-readable form for logs and reports. */
  readonly description: string;
}

function check(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${what} must be a finite number ≥ 0, got ${value}`);
  return value;
}

/** No delay at all: payments resolve within one event-loop turn (unit tests, throughput ceilings). */
export function zeroLatency(): LatencyModel {
  return { hopMs: () => 0, description: 'zero' };
}

/** The same delay on every hop. */
export function fixedLatency(ms: number): LatencyModel {
  check(ms, 'fixed latency');
  return { hopMs: () => ms, description: `fixed ${ms} ms` };
}

/** Uniform in [minMs, maxMs). */
export function uniformLatency(minMs: number, maxMs: number): LatencyModel {
  check(minMs, 'minMs');
  check(maxMs, 'maxMs');
  if (maxMs < minMs) throw new RangeError(`maxMs (${maxMs}) must be ≥ minMs (${minMs})`);
  return {
    hopMs: (rng) => minMs + rng.next() * (maxMs - minMs),
    description: `uniform ${minMs}–${maxMs} ms`,
  };
}

/**
 * Log-normal around `medianMs` with shape `sigma`: most hops are quick, a
 * few are slow, like measured Lightning forwarding times.
 */
export function lognormalLatency(medianMs: number, sigma = 0.5): LatencyModel {
  check(medianMs, 'medianMs');
  check(sigma, 'sigma');
  const mu = Math.log(Math.max(medianMs, Number.MIN_VALUE));
  return {
    hopMs: (rng) => (medianMs === 0 ? 0 : Math.exp(rng.normal(mu, sigma))),
    description: `lognormal median ${medianMs} ms σ ${sigma}`,
  };
}

/** The default: log-normal, median 40 ms per hop update. */
export const defaultLatency: LatencyModel = lognormalLatency(40, 0.5);
