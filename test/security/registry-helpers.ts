import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeInvoice } from '../../infra/lightning/bolt11.js';
import type { InvoiceFields } from '../../infra/lightning/bolt11.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { Registry, RegistryClient, createRegistryApp, keySigner } from '../../services/registry/index.js';
import type { ListingFields, Signer } from '../../services/registry/index.js';

/** A node key: what signs its invoices and its registry messages. */
export interface NodeKey {
  secret: Uint8Array;
  pubkey: string;
  signer: Signer;
}

/** Deterministic node keys for a test (never used outside tests). */
export function nodeKeys<N extends string>(seed: number, names: readonly N[]): Record<N, NodeKey> {
  const rng = createRng(seed);
  const out = {} as Record<N, NodeKey>;
  for (const name of names) {
    let secret = rng.bytes(32);
    while (!secp256k1.utils.isValidSecretKey(secret)) secret = rng.bytes(32);
    const signer = keySigner(secret);
    out[name] = { secret, pubkey: signer.pubkey, signer };
  }
  return out;
}

/** An in-memory registry on regtest with a client speaking HTTP to it. */
export async function openRegistry() {
  const clock = new VirtualClock();
  const registry = await Registry.open({ clock, network: 'regtest' });
  const app = createRegistryApp(registry);
  const client = new RegistryClient({
    baseUrl: 'http://registry.test',
    fetch: async (r) => app.fetch(r),
    clock,
  });
  return { clock, registry, app, client };
}

/** A one-tier listing at `url` sold by `node`. */
export function listingOf(node: NodeKey, url: string, priceMsat = 10_000): ListingFields {
  return {
    name: 'shop',
    url,
    category: 'data',
    capabilities: ['data:read'],
    tiers: [{ tier: 0, name: 'one call', kind: 'single', calls: 1, priceMsat }],
    nodePubkey: node.pubkey,
  };
}

/** An invoice `payee` signs, with the preimage that settles it (what a payer learns by paying). */
export function paidInvoice(
  payee: NodeKey,
  fields: Partial<InvoiceFields> & { timestampSec: number },
  preimageByte: number,
): { invoice: string; preimage: string } {
  const preimage = Buffer.alloc(32, preimageByte);
  const invoice = encodeInvoice(
    {
      network: 'regtest',
      amountMsat: 10_000,
      paymentHash: createHash('sha256').update(preimage).digest('hex'),
      paymentSecret: 'ab'.repeat(32),
      description: 'shop tier 0',
      ...fields,
    },
    payee.secret,
  );
  return { invoice, preimage: bytesToHex(preimage) };
}
