/**
 * Which failed registry calls `RegistryClient` sends again, and after how
 * long. All attempts of a call share its one time limit: a retry whose wait
 * would end past it is not made, and the call fails with what it last got.
 */
import type { ClientFailure } from './client.js';

/** Default retries of one call (so at most 3 attempts): enough for a restart or a gateway's blip, few enough not to pile onto a registry that is struggling. */
export const REGISTRY_CALL_RETRIES = 2;
/** Waits before the first and later retries: 250 ms, doubling, at most 2 s (a Retry-After asks for longer). */
export const RETRY_BACKOFF = { firstMs: 250, maxMs: 2_000 } as const;
/** The longest Retry-After a call waits for; a registry asking for longer is not asked again within the call. */
export const RETRY_AFTER_LIMIT_MS = 5_000;

/** The registry's 503s that changed nothing: a write answered with one is sent again as it was. */
const WRITE_RETRIES = new Set(['store_unavailable', 'resolve_unavailable']);

/**
 * True when sending the request again is safe and may help. A read (GET)
 * changes nothing, so any failure that may pass is retried: no answer (a
 * refused or reset connection), a registry or gateway that cannot serve it
 * now (502, 503, 504), an answer cut short. A write is sent again only on
 * the registry's own 503 `store_unavailable` or `resolve_unavailable`, which
 * changed nothing and is answered, sent again, as a first try would have
 * been; any other failure
 * of a write may have come after the registry applied it, and the same
 * signed write sent again would then be refused (`already_listed`,
 * `stale_signature`, `already_rated`, `not_found`) instead of answered.
 * A 4xx, a redirect and a malformed answer are final.
 */
export function retryable(method: string, f: ClientFailure): boolean {
  if (method !== 'GET') return f.status === 503 && WRITE_RETRIES.has(f.code);
  return f.code === 'unreachable' || f.code === 'unreadable' || [502, 503, 504].includes(f.status);
}

/**
 * How long to wait before retry `retry` (1-based): the back-off, or the
 * registry's Retry-After when longer; undefined (no retry) when the
 * registry asks for more than `RETRY_AFTER_LIMIT_MS`.
 */
export function retryWait(retry: number, retryAfterMs: number | undefined): number | undefined {
  const backoff = Math.min(RETRY_BACKOFF.firstMs * 2 ** (retry - 1), RETRY_BACKOFF.maxMs);
  if (retryAfterMs === undefined) return backoff;
  return retryAfterMs > RETRY_AFTER_LIMIT_MS ? undefined : Math.max(backoff, retryAfterMs);
}

/** A Retry-After header in ms from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `f` saying how many attempts it took, when more than one. */
export function afterAttempts(f: ClientFailure, attempts: number): ClientFailure {
  return attempts === 1 ? f : { ...f, message: `${f.message} (after ${attempts} attempts)` };
}
