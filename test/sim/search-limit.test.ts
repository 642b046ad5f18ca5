/**
 * `registry.searchLimit` is bounded by what the registry serves: 1,001 validated, and every search
 * of the run failed, the registry refusing a `limit` above 1,000.
 */
import { describe, expect, it } from 'vitest';
import { querySchema } from '../../services/registry/schema.js';
import { MAX_SEARCH_LIMIT } from '../../sim/scenario/limits.js';
import { issueLines, minimalMarket } from './scenario-fixture.js';

describe('registry.searchLimit', () => {
  it('1,001 is refused naming the registry’s limit; 1,000 is valid', () => {
    const market = minimalMarket('search-limit');
    expect(issueLines(market, { 'registry.searchLimit': 1001 })).toEqual([
      'registry.searchLimit: expected at most 1,000: the registry answers a search with at most 1,000 listings and refuses a larger limit',
    ]);
    expect(issueLines(market, { 'registry.searchLimit': 1000 })).toEqual([]);
  });

  it('the limit is the registry’s: its search takes limit 1000 and refuses 1001', () => {
    expect(MAX_SEARCH_LIMIT).toBe(1000);
    expect(querySchema.safeParse({ limit: String(MAX_SEARCH_LIMIT) }).success).toBe(true);
    expect(querySchema.safeParse({ limit: String(MAX_SEARCH_LIMIT + 1) }).success).toBe(false);
  });
});
