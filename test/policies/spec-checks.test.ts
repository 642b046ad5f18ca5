import { describe, expect, it } from 'vitest';
import { createPolicy } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

describe('policy declarations that cannot mean what they say are refused', () => {
  it.each([
    [
      'an allowlist listing nothing (it allowed every seller)',
      { name: 'allowlist', params: {} },
      'invalid policy spec: params: lists nothing: give services, payees, hosts or categories',
    ],
    [
      'a denylist listing nothing',
      { name: 'denylist', params: {} },
      'invalid policy spec: params: lists nothing: give services, payees, hosts or categories',
    ],
    [
      'a cap aligned to the calendar without a window (it was an all-time cap)',
      { name: 'service_cap', params: { limits: { data: 5_000 }, align: 'calendar' } },
      'invalid policy spec: params.align: align needs a window: without one the cap is for all time',
    ],
    [
      'a cap with no limits and no default (it refused every offer)',
      { name: 'category_cap', params: { limits: {}, window: 'day' } },
      'invalid policy spec: params.limits: no limits and no defaultMsat: the cap would refuse every offer',
    ],
  ])('%s', (_what, spec, message) => {
    expect(() => createPolicy(spec, { clock: new VirtualClock() })).toThrow(message);
  });

  it('still takes an explicitly empty host list, which allows nobody', async () => {
    const policy = createPolicy({ name: 'allowlist', params: { hosts: [] } }, { clock: new VirtualClock() });
    const offer = {
      amountMsat: 1,
      maxFeeMsat: 0,
      url: 'http://a.test/x',
      host: 'a.test',
      payee: '02' + 'ab'.repeat(32),
    };
    expect((await policy.authorize(offer, { nowMs: 0 })).kind).toBe('deny');
  });
});
