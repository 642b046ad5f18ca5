/**
 * What `RegistryClient` checks of a registry's answers before anyone uses
 * them. A registry (or whatever answers at its URL) is not trusted: a listing
 * it serves must be one it could have accepted (`servedListingSchema`), under
 * the id of its node key and url (`listingId`), the one asked for; a url a
 * reader will send requests to must name an address the reader's
 * `addressPolicy` allows (not the reader's own machine or network, nor
 * link-local or reserved ones); a write is answered with the listing written.
 * Anything else fails the call as `bad_response`, naming the first problem.
 */
import { classifyAddress, isLocalhostName, probeUrlRefusal, type AddressPolicy } from './address-policy.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import { failure } from './client-attempt.js';
import type { ClientFailure } from './client.js';
import { searchAnswerSchema, servedListingSchema, servedRatingSchema } from './schema.js';
import { listingId } from './signed-writes.js';
import type { Listing, ListingFields, ListingRating } from './types.js';
import { z } from 'zod';

/**
 * The address policy a client reads listings under by default: `lab` for a registry it reaches at a
 * loopback or private address or a `localhost` name (a registry on this machine or a lab network, whose
 * sellers are there too), `public` for any other.
 */
export function defaultAddressPolicy(baseUrl: string): AddressPolicy {
  const host = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isLocalhostName(host)) return 'lab';
  const c = classifyAddress(host);
  return c === 'loopback' || c === 'private' ? 'lab' : 'public';
}

const bad = (message: string): ClientFailure => failure(200, 'bad_response', message);

/** Why served listing `l` is not the listing of its own node key and url, or its url is not one `policy` lets a reader reach. */
function listingProblem(l: Listing, policy: AddressPolicy | undefined): string | undefined {
  const own = listingId(l.nodePubkey, l.url);
  if (l.id !== own)
    return `id ${l.id} is not its node key and url's (${own}): a registry serves a listing under no other id`;
  const why = policy && probeUrlRefusal(l.url, policy);
  if (why === undefined) return undefined;
  const lab =
    policy === 'public'
      ? ", a registry on this machine or a lab network is read with addressPolicy 'lab'"
      : '';
  return `url ${l.url}: ${why} (buyers send their tasks there${lab})`;
}

/** A search answer as `{ listings }`, or `bad_response` naming its first problem. */
export function searchAnswer(
  answer: unknown,
  policy: AddressPolicy,
): { ok: true; listings: Listing[] } | ClientFailure {
  const what = 'registry answered a search the buyer cannot use';
  const checked = searchAnswerSchema.safeParse(answer, { error: plainErrorMap });
  if (!checked.success) return bad(`${what}: ${describeIssues(checked.error.issues, { shown: 1 })}`);
  const listings = checked.data.listings as Listing[];
  for (const [i, l] of listings.entries()) {
    const problem = listingProblem(l, policy);
    if (problem) return bad(`${what}: listings[${i}]: ${problem}`);
  }
  return { ok: true, listings };
}

/** What a listing answer must be: the listing of `id`, read under `policy` (none: a writer's own url, not checked); for a write of `fields`, its url and key. */
export interface ListingExpected {
  id: string;
  policy?: AddressPolicy;
  fields?: Pick<ListingFields, 'url' | 'nodePubkey'>;
}

const listingAnswerSchema = z.object({ listing: servedListingSchema });

/** An answer of `{ listing }` (a read or a write), or `bad_response` naming its first problem. */
export function listingAnswer(
  answer: unknown,
  what: string,
  expected: ListingExpected,
): { ok: true; listing: Listing } | ClientFailure {
  const refused = (problem: string) =>
    bad(`registry answered ${what} with a listing the client cannot use: ${problem}`);
  const checked = listingAnswerSchema.safeParse(answer, { error: plainErrorMap });
  if (!checked.success) return refused(describeIssues(checked.error.issues, { shown: 1 }));
  const listing = checked.data.listing as Listing;
  if (listing.id !== expected.id) return refused(`listing ${listing.id}, not ${expected.id}`);
  const { fields } = expected;
  if (fields && (listing.url !== fields.url || listing.nodePubkey !== fields.nodePubkey))
    return refused(
      `listing ${listing.id} is for ${listing.url} of ${listing.nodePubkey}, not the one written`,
    );
  const problem = listingProblem(listing, expected.policy);
  return problem ? refused(`listing.${problem}`) : { ok: true, listing };
}

const ratingAnswerSchema = z.object({
  listingId: z.string(),
  paymentHash: z.string().regex(/^[0-9a-f]{64}$/, '32-byte lowercase hex'),
  rating: servedRatingSchema,
});

/** A rating's answer for listing `id`, or `bad_response` naming its first problem. */
export function ratingAnswer(
  answer: unknown,
  id: string,
): { ok: true; rating: ListingRating; paymentHash: string } | ClientFailure {
  const refused = (problem: string) =>
    bad(`registry answered the rating of ${id} with one the client cannot use: ${problem}`);
  const checked = ratingAnswerSchema.safeParse(answer, { error: plainErrorMap });
  if (!checked.success) return refused(describeIssues(checked.error.issues, { shown: 1 }));
  const { listingId: rated, paymentHash, rating } = checked.data;
  if (rated !== id) return refused(`it rates listing ${rated}`);
  return { ok: true, rating, paymentHash };
}
