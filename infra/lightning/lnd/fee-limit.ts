import type { Msat } from '../../money.js';
import type { Payment } from '../node.js';
import type { PayContext } from './pay.js';
import type { LndPayReq } from './wire.js';

/**
 * LND reports "every route costs more than the fee limit" as NO_ROUTE. Ask
 * for a route without the limit: if one exists, the limit was the reason.
 */
export async function refineFeeLimit(
  ctx: PayContext,
  payment: Payment,
  payreq: LndPayReq,
  amount: Msat,
  maxFeeMsat: Msat,
): Promise<Payment> {
  try {
    const raw = (await ctx.client.call('POST', `/v1/graph/routes/${payreq.destination}/0`, {
      amt_msat: String(amount),
      fee_limit: { fixed_msat: String(Number.MAX_SAFE_INTEGER) },
      route_hints: payreq.route_hints ?? [],
      use_mission_control: false,
    })) as { routes?: Array<{ total_fees_msat?: string }> };
    const cheapest = Math.min(...(raw.routes ?? []).map((r) => Number(r.total_fees_msat ?? Infinity)));
    if (Number.isFinite(cheapest) && cheapest > maxFeeMsat) {
      return {
        ...payment,
        failure: {
          reason: 'fee_limit_exceeded',
          message: `the cheapest route costs ${cheapest} msat in fees, above maxFeeMsat ${maxFeeMsat}`,
        },
      };
    }
  } catch (err) {
    // No route even without a limit: NO_ROUTE was right.
    ctx.log.debug({ err: String(err) }, 'route query after NO_ROUTE found nothing');
  }
  return payment;
}
