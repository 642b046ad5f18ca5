import { LabError } from '../../infra/errors.js';
import { defaultMaxFeeMsat, type NodeInfo } from '../../infra/lightning/node.js';
import { silentLogger } from '../../infra/log.js';
import { maxPerRequest } from '../policies/index.js';
import type { EngineContext } from './context.js';
import type { PurchaseEngineOptions } from './engine-types.js';
import { MemoryTokenStore } from './token-store.js';

/** The most a request costs (before fees) when the caller gives no policy: 100 sat. */
export const DEFAULT_MAX_PRICE_MSAT = 100_000;

/** Most ms a client request waits for its answer (and a 401/402 body for its bytes) by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Most bytes of a delivered body the client reads by default (16 MiB); the response is handed over read. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The context the stages share, with the options' defaults filled in; throws LabError('invalid_client_option') on a bad limit. */
export function engineContext(options: PurchaseEngineOptions): EngineContext {
  checkLimits(options);
  const { node, onEvent } = options;
  let info: Promise<NodeInfo> | undefined;
  return {
    node,
    fetch: options.fetch,
    policy:
      options.policy ?? maxPerRequest({ maxMsat: options.defaultMaxPriceMsat ?? DEFAULT_MAX_PRICE_MSAT }),
    tokens: options.tokens ?? new MemoryTokenStore(),
    clock: options.clock,
    logger: options.logger ?? silentLogger,
    maxFeeMsat: options.maxFeeMsat ?? defaultMaxFeeMsat,
    emit: onEvent ? (e, req) => onEvent(e, req.tag) : () => {},
    nodeInfo: () => {
      info ??= node.info().catch((err: unknown) => {
        info = undefined;
        throw err;
      });
      return info;
    },
    allowUnsigned: options.acceptUnsignedInvoices ?? false,
    payTimeoutMs: options.payTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    buyer: options.buyer,
  };
}

/** Time and size limits are whole numbers ≥ 1 (NaN would be a deadline that never passes, 0 one that always has). */
function checkLimits(o: PurchaseEngineOptions): void {
  for (const key of ['payTimeoutMs', 'requestTimeoutMs', 'maxBodyBytes'] as const) {
    const v = o[key];
    if (v === undefined || (Number.isSafeInteger(v) && v >= 1)) continue;
    throw new LabError(
      'invalid_client_option',
      `${key} must be a whole number, at least 1; got ${String(v)}`,
    );
  }
}
