import {
  CONDITION_SUFFIX,
  hasDotSegmentOrEncoding,
  pathWithin,
  tokenLimits,
  type TokenLimits,
} from '../../infra/l402/index.js';

/** The caveats that bind a token to a request's method and path. */
export type Binding = Pick<TokenLimits, 'service' | 'methods' | 'pathPrefix'>;

/**
 * Why a token bound by `b` cannot authorize `method path`, read as the
 * verifier reads its `<service>_methods` and `<service>_path_prefix` caveats
 * (undefined when they allow it). One reading for buying and for reuse: a
 * token is neither bought for nor sent with a request its caveats exclude.
 */
export function outsideBinding(b: Binding, method: string, path: string): string | undefined {
  const caveat = (suffix: string) => `${b.service}${suffix}`;
  const { methods, pathPrefix } = b;
  if (methods && !methods.includes(method.toUpperCase()))
    return `its ${caveat(CONDITION_SUFFIX.methods)} [${methods.join(',')}] do not include ${method}`;
  if (pathPrefix !== undefined && (hasDotSegmentOrEncoding(path) || !pathWithin(path, pathPrefix)))
    return `its ${caveat(CONDITION_SUFFIX.pathPrefix)} ${pathPrefix} does not cover ${path}`;
  return undefined;
}

/** A held token's macaroon and service, and what they read as (undefined: it does not decode; the seller judges it). */
interface Read {
  macaroon: string;
  service?: string;
  binding?: Binding;
}

const read = new WeakMap<object, Read>();

/**
 * The binding caveats of a held token's macaroon for its service, read once
 * per token object (and again if its macaroon or service changes); undefined when the
 * macaroon does not decode, so nothing is assumed about it.
 */
export function bindingOf(t: { macaroon: string; service?: string }): Binding | undefined {
  let r = read.get(t);
  if (r?.macaroon !== t.macaroon || r.service !== t.service) {
    r = { macaroon: t.macaroon, service: t.service };
    try {
      r.binding = tokenLimits(t.macaroon, t.service);
    } catch {
      // Not a token the buyer can read: no caveat is known to exclude anything.
    }
    read.set(t, r);
  }
  return r.binding;
}

/** Whether a held token's method and path caveats allow `method path` (a token that does not decode: yes). */
export function tokenCovers(
  t: { macaroon: string; service?: string },
  method: string,
  path: string,
): boolean {
  const b = bindingOf(t);
  return b === undefined || outsideBinding(b, method, path) === undefined;
}

/** The key of a token's method set within its scope: tokens for other methods are kept side by side. */
export function methodsKey(t: { macaroon: string; service?: string }): string {
  const methods = bindingOf(t)?.methods;
  return methods ? [...methods].sort().join(',') : '*';
}
