import { errors as undiciErrors } from 'undici';
import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import { LndError, isNotReadyMessage, isNotStartedMessage } from './errors.js';

/** How long to keep trying a node that does not answer (restarts take seconds). */
export interface RetryPolicy {
  /** Give up after this many ms of failed attempts on the client's clock. */
  maxWaitMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxWaitMs: 30_000, initialDelayMs: 100, maxDelayMs: 2_000 };

/**
 * When a call may be repeated after a transport failure: `always` for reads
 * and idempotent writes; `if-not-sent` when a repeat could act twice, so only
 * a request that never reached LND's handler is retried (a refused connection,
 * LND refusing calls while it starts: `isNotStartedMessage`), never one answered
 * "shutting down" or "transport is closing", which may come after LND acted;
 * `guarded` for a write LND itself refuses to repeat (SendPaymentV2: its
 * control tower refuses a second payment of a hash in flight or paid), also
 * retried after those, its caller resolving a refused repeat by hash.
 */
export type RetryMode = 'always' | 'guarded' | 'if-not-sent' | 'never';

/** What the retry loop runs on. */
export interface RetryDeps {
  clock: Clock;
  log: Logger;
  policy: RetryPolicy;
}

/**
 * Runs `attempt`, repeating it after a transport failure `mode` allows
 * (doubling the delay up to `maxDelayMs`) until `maxWaitMs` on the clock;
 * a TLS failure is never retried and says the certificate does not match,
 * and an `LndError('timeout')` is not retried (a stuck node stays stuck).
 */
export async function withRetry<T>(
  where: string,
  opts: { retry?: RetryMode; signal?: AbortSignal; onAttempt?: () => void },
  deps: RetryDeps,
  attempt: () => Promise<T>,
): Promise<T> {
  const mode = opts.retry ?? 'always';
  const started = deps.clock.now();
  let delay = deps.policy.initialDelayMs;
  for (let tries = 1; ; tries++) {
    try {
      opts.onAttempt?.();
      return await attempt();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const kind = classify(err);
      if (kind === 'tls') {
        throw new LndError(
          'tls',
          `${where}: TLS failed (${describe(err)}). The node's certificate does not match tlsCertPath; ` +
            `LND rewrites tls.cert when it is deleted or when its host names change.`,
          { cause: err },
        );
      }
      const retryable =
        ((kind === 'refused' || kind === 'not_started') && mode !== 'never') ||
        (kind === 'dropped' && mode === 'always') ||
        (kind === 'not_ready' && (mode === 'always' || mode === 'guarded'));
      const waited = deps.clock.now() - started;
      if (!retryable || waited + delay > deps.policy.maxWaitMs) {
        if (err instanceof LndError) throw err;
        throw new LndError(
          'unreachable',
          `${where}: no answer after ${tries} tries over ${Math.round(waited / 1000)} s (${describe(err)}). ` +
            `Is lnd running and is restUrl right?`,
          { cause: err },
        );
      }
      deps.log.debug({ where, tries, delay, err: describe(err) }, 'lnd not answering, retrying');
      await sleepUnlessAborted(deps.clock, delay, opts.signal);
      if (opts.signal?.aborted) throw err;
      delay = Math.min(delay * 2, deps.policy.maxDelayMs);
    }
  }
}

type Failure = 'refused' | 'dropped' | 'not_started' | 'not_ready' | 'tls' | 'other';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);
const REFUSED_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);

/** Sorts a thrown value into what the retry loop needs to know. */
function classify(err: unknown): Failure {
  if (err instanceof LndError) {
    if (err.code === 'not_ready')
      return isNotStartedMessage(err.lndMessage || err.message) ? 'not_started' : 'not_ready';
    if (err.code === 'unreachable') return 'dropped';
    return 'other';
  }
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TLS_CODES.has(code)) return 'tls';
      if (REFUSED_CODES.has(code)) return 'refused';
      if (DROPPED_CODES.has(code)) return 'dropped';
    }
    if (e instanceof undiciErrors.SocketError) return 'dropped';
  }
  const text = describe(err);
  if (isNotStartedMessage(text)) return 'not_started';
  if (isNotReadyMessage(text)) return 'not_ready';
  if (/other side closed|socket hang up|terminated/i.test(text)) return 'dropped';
  return 'other';
}

/** An error and its causes, with their codes, on one line. */
export function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const msg = e instanceof Error ? e.message : String(e);
    parts.push(typeof code === 'string' ? `${code}: ${msg}` : msg);
  }
  return parts.join(' <- ');
}

/**
 * Resolves after `ms` on `clock`, or as soon as `signal` aborts (a closed node
 * stops waiting). The clock is given a signal of this sleep's own: `signal`
 * lives as long as the node, and keeps no listener once the sleep is over.
 */
export function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.resolve();
  const own = new AbortController();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      own.abort();
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms, own.signal).then(done);
  });
}
