import type { PurchaseRole } from './rows.js';

/**
 * Money conservation, checked two independent ways at the end of a run.
 *
 * Ledger: every node's balance before and after. What paying agents lost
 * (debits) must equal what sellers and resellers gained (credits) plus what
 * routing nodes earned (fees), to the msat; and the network's total must not
 * change. Records: what the buyers' own purchase rows say they spent must
 * equal what the ledger says they lost, and the routing fees the rows report
 * must equal what the routers earned.
 */
export type LedgerRole = PurchaseRole | 'router';

/** One node's holdings (local balance plus outgoing HTLCs) at the start and the end. */
export interface LedgerEntry {
  node: string;
  role: LedgerRole;
  startMsat: number;
  endMsat: number;
}

/** The `conservation` entry of summary.json. */
export interface Conservation {
  holds: boolean;
  debitsMsat: number;
  creditsMsat: number;
  sellersMsat: number;
  resellersMsat: number;
  routingFeesMsat: number;
  differenceMsat: number;
  recorded: {
    payersMsat: number;
    feesMsat: number;
    spendDifferenceMsat: number;
    feeDifferenceMsat: number;
  };
  network: { initialMsat: number; finalMsat: number; differenceMsat: number };
}

/** What the purchase rows say, summed over successful payments. */
export interface RecordedSpend {
  /** Amount plus fees paid by end payers (buyers and sub-agents). */
  payersMsat: number;
  /** Routing fees paid by everyone (end payers, resellers restocking, sellers buying upstream). */
  feesMsat: number;
}

/**
 * Builds the conservation entry. Buyers and sub-agents are the payers;
 * sellers (net of any upstream buying) and resellers (net of restocking) are
 * credited; routers earn the fees.
 */
export function computeConservation(
  ledger: readonly LedgerEntry[],
  recorded: RecordedSpend,
  network: { initialMsat: number; finalMsat: number },
): Conservation {
  let debits = 0;
  let sellers = 0;
  let resellers = 0;
  let routing = 0;
  for (const e of ledger) {
    const delta = e.endMsat - e.startMsat;
    if (e.role === 'buyer' || e.role === 'sub-agent') debits -= delta;
    else if (e.role === 'seller') sellers += delta;
    else if (e.role === 'reseller') resellers += delta;
    else routing += delta;
  }
  const credits = sellers + resellers;
  const difference = debits - credits - routing;
  const spendDifference = recorded.payersMsat - debits;
  const feeDifference = recorded.feesMsat - routing;
  const net = network.finalMsat - network.initialMsat;
  return {
    holds: difference === 0 && spendDifference === 0 && feeDifference === 0 && net === 0,
    debitsMsat: debits,
    creditsMsat: credits,
    sellersMsat: sellers,
    resellersMsat: resellers,
    routingFeesMsat: routing,
    differenceMsat: difference,
    recorded: {
      payersMsat: recorded.payersMsat,
      feesMsat: recorded.feesMsat,
      spendDifferenceMsat: spendDifference,
      feeDifferenceMsat: feeDifference,
    },
    network: { initialMsat: network.initialMsat, finalMsat: network.finalMsat, differenceMsat: net },
  };
}
