/**
 * The listing the registry server tests register: one tier of one call at 2,000 msat, signed by a
 * key drawn from seed 5.
 */
import { createRng } from '../../infra/random.js';
import { keySigner, type ListingFields } from '../../services/registry/index.js';

/** The key that signs `listing` (its node's key). */
export const signer = keySigner(createRng(5).bytes(32));

/** A listing of the "quotes" service at http://quotes.test/v1/q, sold by `signer`'s node. */
export const listing: ListingFields = {
  name: 'quotes',
  url: 'http://quotes.test/v1/q',
  category: 'finance',
  capabilities: ['quotes:read'],
  tiers: [{ tier: 0, name: 'one', kind: 'single', calls: 1, priceMsat: 2_000 }],
  nodePubkey: signer.pubkey,
};
