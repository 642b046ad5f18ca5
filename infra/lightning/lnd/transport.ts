import type { Dispatcher } from 'undici';
import { LndError } from './errors.js';
import { describe } from './retry.js';

/**
 * Most ms one connection to LND may take to open (TCP and TLS), and never more
 * than a call's own limit: undici's default is 10 s whatever the call allows.
 */
export const MAX_CONNECT_MS = 10_000;

/**
 * `pending`, or `signal`'s reason as soon as it aborts. undici lets a request
 * that is still connecting run to its connect timeout whatever its signal says;
 * this answers at the deadline instead. An answer that comes after is dropped.
 */
export function untilAborted(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  if (signal.aborted) {
    pending.then(
      (r) => r.body.destroy(),
      () => undefined,
    );
    return Promise.reject(signal.reason as Error);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) r.body.destroy();
        else resolve(r);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

const OUT_OF_FILES = new Set(['EMFILE', 'ENFILE']);

/**
 * A failure to open a connection because this process (EMFILE) or the system
 * (ENFILE) has no file descriptors left, as an `LndError` saying so; any other
 * error as it is. Without this it reads "Is lnd running and is restUrl right?".
 */
export function outOfFiles(where: string, err: unknown): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && OUT_OF_FILES.has(code)) {
      return new LndError(
        'unreachable',
        `${where}: too many open connections to LND: this process has no file descriptors left ` +
          `(${describe(err)}). Close what holds them or raise the open-file limit (ulimit -n).`,
        { cause: err },
      );
    }
  }
  return err;
}

/** `restUrl` as it may be shown in an error: never its user name or password. */
export function shownUrl(restUrl: string): string {
  try {
    const url = new URL(restUrl);
    if (!url.username && !url.password) return restUrl;
    url.username = '';
    url.password = '';
    return `${url.href} (its user name and password not shown)`;
  } catch {
    return restUrl.replace(/\/\/[^/@]*@/, '//…@');
  }
}
