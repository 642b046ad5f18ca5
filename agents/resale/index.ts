export { adoptToken } from './adopt-token.js';
export {
  delegate,
  DELEGATION_ID_CONDITION,
  type DelegationLimits,
  type DelegatedToken,
  type ResaleErrorCode,
} from './delegate.js';
export { createReseller, type ResellerOptions, type ResellerStats } from './reseller.js';
export { DEFAULT_CREDIT_LIMIT, type CreditLimit } from './slice-credit.js';
export { DEFAULT_UPSTREAM_BACKOFF, type UpstreamBackoff } from './upstream-breaker.js';
export { DEFAULT_UPSTREAM_TIMEOUT_SEC } from './bundle-slicer.js';
export { createSubAgent, type SliceBuy, type SubAgent, type SubAgentOptions } from './sub-agent.js';
export {
  SliceChecker,
  type CheckedSlice,
  type ExpectedCheck,
  type SliceCheck,
  type SliceCheckerDeps,
} from './slice-check.js';
export { DEFAULT_MIN_SLICE_LIFE_SEC } from './slice-terms.js';
export { graphDelegator } from './graph-delegator.js';
