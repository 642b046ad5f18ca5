import { describe, expect, it } from 'vitest';
import { UpstreamBreaker } from '../../agents/resale/upstream-breaker.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

describe('the upstream breaker backs off twice as long after each failure in a row', () => {
  it('first 60 s, max 300 s: failures open it for 60, 120, 240, 300, 300 s; a failure while open changes nothing; a paid slice closes it and starts again at 60 s', async () => {
    const clock = new VirtualClock();
    const breaker = new UpstreamBreaker({ firstSec: 60, maxSec: 300, deadAfterRefusals: 3 }, clock);
    const openFor: number[] = [];
    for (let i = 0; i < 5; i++) {
      breaker.failed();
      openFor.push(breaker.waitMs());
      breaker.failed(); // while open: ignored
      await clock.advance(breaker.waitMs());
    }
    breaker.failed();
    breaker.succeeded();
    const afterPaid = breaker.waitMs();
    breaker.failed();

    expect(openFor).toEqual([60_000, 120_000, 240_000, 300_000, 300_000]);
    expect(afterPaid).toBe(0);
    expect(breaker.waitMs()).toBe(60_000);
  });
});
