/**
 * Redirects are never followed by what an agent sends to a seller or a
 * registry (the L402 engine's probes, bids and paid calls, the resale slice
 * check's verdicts, the registry client): each request is sent with
 * `redirect: 'manual'`, so a real `fetch` hands back the 3xx itself, as the
 * embedded world does (its handlers' answers come back as they are). A
 * followed redirect would let a seller make the buyer request any URL it
 * names (an internal address; a POST body replayed by a 307/308 to another
 * host) and have that URL's answer recorded as the seller's.
 */

/** The `fetch` init field every such request carries. */
export const NO_REDIRECTS = { redirect: 'manual' } as const satisfies RequestInit;

/** Longest `Location` a refusal quotes. */
const LOCATION_SHOWN = 200;

/** Whether an answer's status is a redirect (3xx), which is never followed. */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/**
 * Why a 3xx answer from `who` to a request for `url` was not used: its
 * status, where it pointed (resolved against `url`), and `advice`.
 *
 * @example
 * redirectRefusal('seller', res, req.url, 'use the final URL');
 * // 'seller answered 302 (redirect to http://x/y); redirects are not followed: use the final URL'
 */
export function redirectRefusal(who: string, res: Response, url: string | URL, advice: string): string {
  return `${who} answered ${res.status} (${target(res, url)}); redirects are not followed: ${advice}`;
}

/** Where a 3xx pointed, as a refusal quotes it. */
function target(res: Response, url: string | URL): string {
  const location = res.headers.get('location');
  if (location === null) return 'no Location';
  const base = String(url);
  const to = URL.canParse(location, base) ? new URL(location, base).href : location;
  return `redirect to ${to.length > LOCATION_SHOWN ? `${to.slice(0, LOCATION_SHOWN)}...` : to}`;
}
