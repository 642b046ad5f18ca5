/**
 * `npm run seller -- --demo`: one purchase from the seller itself over real
 * HTTP on the embedded network, as a careful buyer makes it. The invoice is
 * checked before paying (it must pay the node the seller advertises), and only
 * a payment that succeeded yields a preimage to present: a refused invoice or
 * a failed payment ends the demo with its reason, and the seller keeps running.
 */
import { formatAuthorization, parseChallenges } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { SimNetwork } from '../../infra/lightning/simnet/index.js';
import type { Seller } from './index.js';

/** Each of the demo's two requests gives up after this long. */
const REQUEST_TIMEOUT_MS = 10_000;

/** A sample request body per archetype. */
function demoBody(archetype: Seller['config']['archetype']): { body?: string } {
  if (archetype === 'compute') return { body: JSON.stringify({ numbers: [1, 2, 3, 4] }) };
  if (archetype === 'llm-summary')
    return {
      body: JSON.stringify({ text: 'Agents pay per call. Lightning settles fast. Tokens carry caveats.' }),
    };
  return {};
}

/** The first challenge of a 402 at `url`, or why there is none. */
async function challengeAt(url: string): Promise<{ macaroon: string; invoice: string } | string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  await res.body?.cancel();
  if (res.status !== 402) return `expected 402, got ${res.status}`;
  try {
    return parseChallenges(res.headers.get('www-authenticate') ?? '')[0]!;
  } catch (err) {
    return `no usable L402 challenge: ${(err as Error).message}`;
  }
}

/** Why the invoice must not be paid, or undefined when it pays the advertised node. */
function invoiceRefusal(invoice: string, seller: Seller): string | undefined {
  let payee: string;
  try {
    payee = decodeInvoice(invoice).payee;
  } catch (err) {
    return `the invoice does not decode: ${(err as Error).message}`;
  }
  if (payee !== seller.nodePubkey) return `it pays node ${payee}, not the advertised ${seller.nodePubkey}`;
  return undefined;
}

/** Pays `invoice`; the preimage and route, or why the payment failed. */
async function payFor(
  buyer: LightningNode,
  invoice: string,
): Promise<{ preimage: string; amountMsat: number; hops: number } | string> {
  const paid = await buyer.pay(invoice);
  if (paid.status !== 'succeeded' || paid.preimage === undefined)
    return `payment ${paid.status}: ${paid.failure?.reason ?? 'no preimage'}${paid.failure ? ` (${paid.failure.message})` : ''}`;
  return { preimage: paid.preimage, amountMsat: paid.amountMsat, hops: paid.hops };
}

/**
 * Buys one call at `baseUrl` with a fresh node on `net` (a channel to the
 * seller's node) and returns the line to print: the purchase and the
 * seller's answer, or why the demo stopped before paying or after a failed payment.
 */
export async function runDemo(net: SimNetwork, seller: Seller, baseUrl: string): Promise<string> {
  const buyer = net.addNode({ alias: 'demo-buyer' });
  net.openChannel(buyer, net.node('seller'), { capacityMsat: 1_000_000_000 });
  const url = `${baseUrl}${seller.path}`;
  const challenge = await challengeAt(url);
  if (typeof challenge === 'string') return `demo: stopped before paying: ${challenge}`;
  const refusal = invoiceRefusal(challenge.invoice, seller);
  if (refusal) return `demo: refused the invoice before paying: ${refusal}`;
  const paid = await payFor(buyer, challenge.invoice);
  if (typeof paid === 'string') return `demo: ${paid}; nothing to present, no call made`;
  const res = await fetch(url, {
    method: seller.method,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    headers: {
      authorization: formatAuthorization({ macaroon: challenge.macaroon, preimage: paid.preimage }),
      'content-type': 'application/json',
    },
    ...demoBody(seller.config.archetype),
  });
  return `demo: 402 for ${paid.amountMsat} msat, paid in ${paid.hops} hop(s), then ${res.status}: ${(await res.text()).slice(0, 300)}`;
}
