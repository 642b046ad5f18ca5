import type { Logger } from '../../infra/log.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { BuyerPurchase, TaskResult } from '../../agents/buyer/types.js';
import { nodeSigner, type Signer } from '../../services/registry/index.js';
import type { MarketRegistry } from './registry.js';

/** A paid call's score: 5 when it delivered, 1 when the seller took the money and failed it. */
function scoreOf(p: BuyerPurchase): number | undefined {
  if (p.outcome === 'success') return 5;
  if (p.outcome === 'not_delivered' || p.outcome === 'seller_error' || p.outcome === 'token_rejected')
    return 1;
  return undefined;
}

/**
 * A buyer that rates its sellers (a scenario's `rateSellers`): after each
 * task, every call it paid for in that task becomes a proven rating in the
 * registry (the paid invoice, its preimage, signed by the buyer's node), so
 * other buyers see it in the listing's `rating`. A rating the registry
 * refuses is logged and skipped: it never stops the task.
 */
export function ratingPoster(
  registry: MarketRegistry,
  node: LightningNode,
  logger: Logger,
): (r: TaskResult) => Promise<void> {
  let signer: Promise<Signer> | undefined;
  return async function rateSellers(r: TaskResult): Promise<void> {
    for (const p of r.purchases) {
      const score = scoreOf(p);
      if (score === undefined || !p.invoice || !p.preimage || p.paidMsat === 0) continue;
      signer ??= nodeSigner(node);
      const res = await registry.client.rate(
        p.listingId,
        { score, invoice: p.invoice, preimage: p.preimage },
        await signer,
      );
      if (!res.ok) logger.debug({ listing: p.listingId, code: res.code }, `rating refused: ${res.message}`);
    }
  };
}
