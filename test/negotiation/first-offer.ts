import type { createPurchaseEngine } from '../../agents/l402/index.js';
import { prepareRequest, type Offer } from '../../agents/l402/index.js';
import type { World } from '../paywall/helpers.js';

/** The engine's offer for the seller's first 402 at http://seller.test/v1/data. */
export async function firstOffer(
  engine: ReturnType<typeof createPurchaseEngine>,
  w: Pick<World, 'clock'>,
): Promise<Offer> {
  const req = await prepareRequest('http://seller.test/v1/data');
  const probe = await engine.probe(req);
  if (!probe.ok || !('answer' in probe)) throw new Error('expected a 402');
  const made = await engine.offer(req, probe.answer, {}, w.clock.now());
  if (!made.ok) throw new Error(made.reason);
  return made.offer;
}
