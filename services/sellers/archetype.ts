import type { Context } from 'hono';
import type { Logger } from '../../infra/log.js';
import type { Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { LatencySpec } from './config.js';
import type { Summarizer } from './summarizer.js';

/** What an archetype's work may use. */
export interface ArchetypeDeps {
  clock: Clock;
  /** The seller's own stream (data draws only; latency and failures have their own). */
  rng: Rng;
  /** Declared quality in [0, 1]; archetypes degrade their output with it. */
  quality: number;
  summarizer: Summarizer;
  /** Where a failure's details go (never to the buyer); default silent. */
  logger?: Logger;
}

/** One kind of paid service: its route, what it sells, and the work behind the paywall. */
export interface Archetype {
  method: 'GET' | 'POST';
  path: string;
  /** The capability the route needs (and tokens are granted). */
  capability: string;
  category: string;
  description: string;
  defaultLatency: LatencySpec;
  defaultCapacity?: number;
  /** Does the paid work; bad input is a 4xx value, never a throw. */
  handle(c: Context): Promise<Response>;
}
