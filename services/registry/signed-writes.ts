import { createHash } from 'node:crypto';
import { probeUrlRefusal, type AddressPolicy } from './address-policy.js';
import { checkRegistry } from './registry-origin.js';
import type { ListingTable } from './listing-table.js';
import type { Listing, ListingFields, RegistryFailure } from './types.js';
import type { SignedAction } from './signing.js';
import { verifyAction } from './signing.js';

/** A signed registration or update as it arrives over HTTP; `registry`: the origin of the registry it is signed for. */
export interface SignedListing {
  listing: ListingFields;
  signedAt: number;
  signature: string;
  registry?: string;
}

/** A signed removal. */
export interface SignedRemoval {
  signedAt: number;
  signature: string;
  registry?: string;
}

/** A listing's id: derived from (node key, url), so the same seller cannot list one URL twice and ids are stable. */
export function listingId(nodePubkey: string, url: string): string {
  return createHash('sha256').update(`${nodePubkey}\n${url}`).digest('hex').slice(0, 32);
}

/** A registry refusal with its code and message. */
export const fail = (code: RegistryFailure['code'], message: string): RegistryFailure => ({
  ok: false,
  code,
  message,
});

/** The registry's clock, the skew it accepts and the origins it is addressed at (undefined: any), as a signature is checked against them. */
export interface SignatureRules {
  now: number;
  maxSkewMs: number;
  origins: readonly string[] | undefined;
}

/**
 * Refuses a signed action whose `signedAt` is more than `maxSkewMs` from `now`, that names another
 * registry than one of `origins` (`checkRegistry`), or whose signature is not `pubkey`'s.
 */
export function checkSignature(
  action: SignedAction,
  signature: string,
  pubkey: string,
  rules: SignatureRules,
): RegistryFailure | undefined {
  const skew = Math.abs(action.signedAt - rules.now);
  if (skew > rules.maxSkewMs)
    return fail(
      'stale_signature',
      `signedAt ${action.signedAt} is ${skew} ms from the registry clock (max ${rules.maxSkewMs})`,
    );
  const elsewhere = checkRegistry(action.registry, rules.origins);
  if (elsewhere) return elsewhere;
  if (!verifyAction(action, signature, pubkey))
    return fail('bad_signature', `signature does not verify for ${action.action} under node key ${pubkey}`);
  return undefined;
}

/** Refuses a change signed no later than the listing's last signed change (a replay or a reordering). */
export function checkNewer(signedAt: number, lastSignedAt: number): RegistryFailure | undefined {
  if (signedAt <= lastSignedAt)
    return fail('stale_signature', `signedAt ${signedAt} is not after the last change (${lastSignedAt})`);
  return undefined;
}

/** Refuses a registration signed no later than the removal of the same id (a replayed registration). */
export function checkAfterRemoval(
  signedAt: number,
  removedAt: number | undefined,
  id: string,
): RegistryFailure | undefined {
  if (removedAt !== undefined && signedAt <= removedAt)
    return fail(
      'stale_signature',
      `signedAt ${signedAt} is not after the removal of ${id} (signed ${removedAt})`,
    );
  return undefined;
}

/**
 * An update keeps the listing's url: the url is part of the id (one listing
 * per key and url), so a moved listing would leave its id naming another url.
 */
export function checkSameUrl(id: string, oldUrl: string, newUrl: string): RegistryFailure | undefined {
  if (newUrl === oldUrl) return undefined;
  return fail(
    'url_mismatch',
    `listing ${id} is for ${oldUrl}; to list ${newUrl}, remove it and register the new url`,
  );
}

/** What a signed update makes of listing `old`: the new fields, with what the registry holds of it kept. */
export function updatedListing(id: string, req: SignedListing, old: Listing, now: number): Listing {
  return {
    ...req.listing,
    id,
    health: old.health,
    rating: old.rating,
    createdAt: old.createdAt,
    updatedAt: now,
    signedAt: req.signedAt,
  };
}

/** Refuses a listing url whose address `policy` does not allow (no check without a policy). */
export function checkAddress(url: string, policy: AddressPolicy | undefined): RegistryFailure | undefined {
  const why = policy && probeUrlRefusal(url, policy);
  return policy && why ? addressFailure(url, why, policy) : undefined;
}

/** The refusal of listing url `url`, `why` its address is not allowed under `policy`. */
export function addressFailure(url: string, why: string, policy: AddressPolicy): RegistryFailure {
  const lab =
    policy === 'public' ? '; a registry for sellers on this machine or network runs with --lab' : '';
  return fail('forbidden_address', `listing url ${url}: ${why}${lab}`);
}

/** Refuses a new listing when its key already holds `listingsPerKey`, or the registry `listings` in all. */
export function checkRoom(
  table: ListingTable,
  nodePubkey: string,
  limits: { listingsPerKey: number; listings: number },
): RegistryFailure | undefined {
  if (table.listedBy(nodePubkey) >= limits.listingsPerKey)
    return fail(
      'too_many_listings',
      `node ${nodePubkey} already has ${limits.listingsPerKey} listings; remove one first`,
    );
  if (table.size >= limits.listings)
    return fail(
      'too_many_listings',
      `the registry holds ${limits.listings} listings, its limit; retry later`,
    );
  return undefined;
}

/**
 * Drops tombstones of removals signed before `oldestAccepted` (the registry
 * clock minus the skew it accepts): a registration signed that early is
 * refused by its signature time anyway. Removals are kept in the order they
 * came, so the old ones are at the front.
 */
export function pruneTombstones(tombstones: Map<string, number>, oldestAccepted: number): void {
  for (const [id, removedAt] of tombstones) {
    if (removedAt >= oldestAccepted) return;
    tombstones.delete(id);
  }
}
