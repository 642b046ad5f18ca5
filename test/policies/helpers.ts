import type { Offer } from '../../agents/policies/index.js';

/** A offer for tests: 10 sat to a fixed payee on seller.test, fee ceiling 1 sat. */
export function offer(over: Partial<Offer> = {}): Offer {
  return {
    amountMsat: 10_000,
    maxFeeMsat: 1_000,
    url: 'http://seller.test/v1/data',
    host: 'seller.test',
    payee: '02' + 'ab'.repeat(32),
    service: 'data',
    category: 'feeds',
    ...over,
  };
}
