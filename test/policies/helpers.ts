import type { Quote } from '../../agents/policies/index.js';

/** A quote for tests: 10 sat to a fixed payee on seller.test, fee ceiling 1 sat. */
export function quote(over: Partial<Quote> = {}): Quote {
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
