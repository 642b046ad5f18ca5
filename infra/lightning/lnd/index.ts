export { LndNode, type LndNodeOptions, type LndFiles } from './lnd-node.js';
export {
  LndRestClient,
  defaultRetryPolicy,
  type LndConnection,
  type RetryPolicy,
  type RetryMode,
} from './rest-client.js';
export { LndError, type LndErrorCode } from './errors.js';
export { defaultLndLimits, type LndLimits } from './limits.js';
export { mapFailureReason, mapSendRefusal, refineNoRoute, type SendRefusal } from './failures.js';
export { toInvoice, toPayment } from './convert.js';
