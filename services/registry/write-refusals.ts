/**
 * Why a signed registration or update may not be written, from the request
 * and what the registry holds alone (no lookup). The registry asks in the
 * write's turn, where the answer decides the write, and, when the listing's
 * host name is to be resolved, once before, so a request refused anyway
 * makes it look nothing up.
 */
import type { AddressPolicy } from './address-policy.js';
import type { HostCheck } from './host-check.js';
import type { JournalWriter } from './journal-writer.js';
import type { RegistryLimits } from './registry-deps.js';
import type { RegistryState } from './registry-state.js';
import type { SignedAction } from './signing.js';
import {
  checkAddress,
  checkAfterRemoval,
  checkNewer,
  checkRoom,
  checkSameUrl,
  checkSignature,
  fail,
  type SignatureRules,
  type SignedListing,
} from './signed-writes.js';
import type { RegistryFailure } from './types.js';

/** What the refusals check against besides the registry's state: its clock, skew and origins, and these. */
export interface WriteRules extends SignatureRules {
  limits: RegistryLimits;
  policy: AddressPolicy | undefined;
}

/** Why registration `req` (listing `id`, signed as `action`) may not be written, or undefined. */
export function registrationRefusal(
  state: RegistryState,
  rules: WriteRules,
  action: SignedAction,
  req: SignedListing,
  id: string,
): RegistryFailure | undefined {
  const { listings, tombstones } = state;
  const bad = checkSignature(action, req.signature, req.listing.nodePubkey, rules);
  if (bad) return bad;
  if (listings.has(id))
    return fail('already_listed', `listing ${id} exists; update it with PUT /listings/${id}`);
  return (
    checkAfterRemoval(req.signedAt, tombstones.get(id), id) ??
    checkRoom(listings, req.listing.nodePubkey, rules.limits) ??
    checkAddress(req.listing.url, rules.policy)
  );
}

/** Why update `req` of listing `id` (signed as `action`) may not be written, or undefined. */
export function updateRefusal(
  state: RegistryState,
  rules: WriteRules,
  action: SignedAction,
  req: SignedListing,
  id: string,
): RegistryFailure | undefined {
  const old = state.listings.get(id);
  if (!old) return fail('not_found', `no listing ${id}`);
  if (req.listing.nodePubkey !== old.nodePubkey)
    return fail(
      'pubkey_mismatch',
      `listing ${id} belongs to ${old.nodePubkey}, not ${req.listing.nodePubkey}`,
    );
  return (
    checkSignature(action, req.signature, old.nodePubkey, rules) ??
    checkNewer(req.signedAt, old.signedAt) ??
    checkSameUrl(id, old.url, req.listing.url)
  );
}

/**
 * `write()` in `writer`'s turn unless `refusal()` says why not there. When `url`'s host name is to be
 * resolved (`hostCheck`), `refusal()` is asked before too (a request refused anyway looks nothing up),
 * and the turn waits for the name to pass; the answer in the turn still decides, as the state may
 * change meanwhile.
 */
export function checkedWrite<T>(
  writer: JournalWriter,
  hostCheck: HostCheck | undefined,
  url: string,
  refusal: () => RegistryFailure | undefined,
  write: () => Promise<T>,
): Promise<T | RegistryFailure> {
  const inTurn = () => writer.inTurn(async () => refusal() ?? write());
  const host = hostCheck?.nameOf(url);
  if (host === undefined) return inTurn();
  const early = refusal();
  if (early) return Promise.resolve(early);
  return hostCheck!.refusal(url, host).then((refused) => refused ?? inTurn());
}
