import { describe, expect, it } from 'vitest';
import { Ledger } from '../../agents/policies/index.js';

/** Reserves and settles `n` spends of `msat`, one every `everyMs`, starting at 0. */
function spend(ledger: Ledger, n: number, msat: number, everyMs: number): void {
  for (let i = 0; i < n; i++) {
    expect(ledger.tryReserve(i, msat, i * everyMs)).toBeUndefined();
    ledger.settle(i, msat, i * everyMs);
  }
}

describe('what a budget ledger keeps per payment', () => {
  it('an all-time ledger keeps no spend entries after 10,000 payments, only their sum (50,000 msat)', () => {
    const ledger = new Ledger(1_000_000);
    spend(ledger, 10_000, 5, 1000);
    expect(ledger.retainedSpends).toBe(0);
    expect(ledger.spent(10_000_000)).toBe(50_000);
  });

  it('a 60 s rolling ledger keeps the 60 spends of its last minute after 10,000 payments 1 s apart', () => {
    const ledger = new Ledger(1_000_000, 60_000);
    spend(ledger, 10_000, 5, 1000);
    expect(ledger.spent(9_999_000)).toBe(300);
    expect(ledger.retainedSpends).toBe(60);
  });
});
