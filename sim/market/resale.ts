import type { Engine } from '../engine/engine.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Scenario } from '../scenario/schema.js';
import type { MarketRegistry } from './registry.js';
import type { RevenueTracker } from './sellers.js';
import type { World } from './world.js';
import { WorldError } from './world.js';

/** The resellers of a market and their sub-agents. */
export interface ResaleMarket {
  start(engine: Engine, durationMs: number): void;
}

/** Builds resellers and their sub-agents (needs agents/resale). */
export async function buildResellers(
  scenario: Scenario,
  _world: World,
  _registry: MarketRegistry,
  _recorder: Recorder,
  _revenue: RevenueTracker,
  _agentDeps: unknown,
  _runMs: number,
): Promise<ResaleMarket> {
  if (scenario.resellers.length)
    throw new WorldError('backend_unavailable', 'resellers need agents/resale, which has not landed yet');
  return { start: () => {} };
}
