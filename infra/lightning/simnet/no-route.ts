import type { Msat } from '../../money.js';
import type { PaymentFailureReason } from '../node.js';
import type { MissionControl } from './mission-control.js';
import type { IssuedInvoice, PaymentDeps } from './payment-deps.js';
import type { Route } from './router.js';

/** What telling why no route is left needs from the payment engine. */
export interface NoRouteQuery {
  deps: PaymentDeps;
  payer: number;
  inv: IssuedInvoice;
  amountMsat: Msat;
  maxFeeMsat: Msat;
  mc: MissionControl;
  /** The payer's route search, as its attempts make it (its route cache included). */
  route(amountMsat: Msat, maxFeeMsat: Msat): Route | undefined;
  /** Attempts made so far. */
  attempts: number;
  /** The last hop failure, as a suffix for messages. */
  last: string;
}

/**
 * Why no route is left: a route exists but over the fee limit
 * (`fee_limit_exceeded`), the payee is offline (`recipient_offline`), the
 * payer's own channels cannot carry the amount plus the fee of the route
 * they would need (`insufficient_balance`: the amount alone was
 * checked before any attempt), or none at all (`no_route`). LND says
 * `no_route` for all but the first; the simulator knows why and says so.
 */
export function whyNoRoute(q: NoRouteQuery): [PaymentFailureReason, string] {
  const { deps: d, inv, amountMsat, maxFeeMsat, last } = q;
  const unlimited = q.route(amountMsat, Number.MAX_SAFE_INTEGER);
  if (unlimited)
    return [
      'fee_limit_exceeded',
      `cheapest usable route costs ${unlimited.feeMsat} msat, limit ${maxFeeMsat} msat${last}`,
    ];
  if (!d.online[inv.payee]) return ['recipient_offline', `the payee is offline${last}`];
  const short = shortOfFee(q);
  if (short) return ['insufficient_balance', `${short}${last}`];
  return ['no_route', `no route to the payee after ${q.attempts} attempts${last}`];
}

/**
 * Says so when the payer's local spendable balance is below the amount plus
 * the fee of the route it would take were its own channels able to carry any
 * amount (their peers up), the route search's best; else `undefined`.
 */
function shortOfFee(q: NoRouteQuery): string | undefined {
  const d = q.deps;
  const needed = d.router.findRoute({
    source: q.payer,
    target: q.inv.payee,
    amountMsat: q.amountMsat,
    maxFeeMsat: Number.MAX_SAFE_INTEGER,
    finalCltv: q.inv.minFinalCltv,
    now: d.clock.now(),
    kind: d.routerKind,
    mc: q.mc,
    online: d.online,
    ownLimitsAside: true,
  });
  if (!needed) return undefined;
  const local = d.graph.localSpendable(q.payer);
  const total = q.amountMsat + needed.feeMsat;
  if (local >= total) return undefined;
  return `local spendable ${local} msat is below the amount ${q.amountMsat} msat plus the routing fee ${needed.feeMsat} msat of the route it would take (${total} msat)`;
}
