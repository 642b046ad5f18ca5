/**
 * `MemoryQuotaStore`'s changes (quota-change.ts): every consume, release or forget that changes a
 * counter tells `onChange` what it changed, as new values, before making it; applied to an empty
 * store (`apply`, what `FileQuotaStore` does when it replays its journal) they give the same counters.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { MemoryQuotaStore, type QuotaSubject } from '../../services/paywall/index.js';
import type { QuotaChange, QuotaUndo } from '../../services/paywall/quota-change.js';

/** Token `id` (a `calls`-call bundle) or a copy of it: `chain` gives the limits below the bundle's. */
const subject = (id: string, calls: number, chain: number[] = [], validUntilMs = 1e12): QuotaSubject => ({
  tokenId: id,
  validUntilMs,
  callsSold: calls,
  quotas: [calls, ...chain].map((limit, i) => ({
    key: `${id}:q${[calls, ...chain].slice(0, i + 1).join('-')}`,
    limit,
  })),
});

/** A store telling its changes to `changes`, copied as they are told. */
function recording() {
  const changes: QuotaChange[] = [];
  const store = new MemoryQuotaStore({ onChange: (c) => void changes.push(structuredClone(c)) });
  return { store, changes };
}

describe('MemoryQuotaStore tells onChange each change it makes', () => {
  it("a bundle's first call (its counters afresh, kept until its validUntilMs), a copy's first call (2 calls reserved), a give-back, a forget; a release of a token without counters and a forget of an unknown token change nothing and tell nothing", () => {
    const { store, changes } = recording();
    const bundle = subject('t', 5, [], 7_000);
    const copy = subject('t', 5, [2]);
    store.consume(bundle, 0);
    store.consume(copy, 0);
    store.release(copy, undefined);
    store.release(subject('other', 3), undefined);
    store.forget('t');
    store.forget('unknown');
    expect(changes).toEqual([
      { tokenId: 't', freshUntilMs: 7_000, used: [['t:q5', 1]], givenBack: [] },
      {
        tokenId: 't',
        used: [
          ['t:q5', 3],
          ['t:q5-2', 1],
        ],
        givenBack: [],
      },
      {
        tokenId: 't',
        used: [['t:q5-2', 0]],
        givenBack: [
          ['t:q5', 1],
          ['t:q5-2', 1],
        ],
      },
      { tokenId: 't', drop: true, used: [], givenBack: [] },
    ]);
  });

  it('a change onChange refuses (it throws) is not made: the consume throws and the counter stays at 1', () => {
    let refuse = false;
    const store = new MemoryQuotaStore({
      onChange: () => {
        if (refuse) throw new Error('journal closed');
      },
    });
    const bundle = subject('t', 5);
    store.consume(bundle, 0);
    refuse = true;
    expect(() => store.consume(bundle, 0)).toThrow('journal closed');
    expect(store.used('t:q5')).toBe(1);
  });
});

describe('changes applied to an empty store give the same counters', () => {
  it('1,000 seeded consumes, releases and forgets on 4 bundles and their copies: after each step, the changes told so far applied to an empty store give the same counts, and so does its snapshot (381 changes told, 11 counters kept at the end)', () => {
    const subjects = Array.from({ length: 4 }, (_, i) => [
      subject(`t${i}`, 3 + i),
      subject(`t${i}`, 3 + i, [2]),
      subject(`t${i}`, 3 + i, [2, 1]),
      subject(`t${i}`, 3 + i, [1]),
    ]).flat();
    const keys = [...new Set(subjects.flatMap((s) => s.quotas.map((q) => q.key)))];
    const rng = createRng('quota-changes');
    const { store, changes } = recording();
    const replayed = new MemoryQuotaStore();
    let applied = 0;
    for (let i = 0; i < 1_000; i++) {
      const [op, s, bound] = [rng.next(), rng.pick(subjects), rng.int(3)];
      if (op < 0.6) store.consume(s, i);
      else if (op < 0.97) store.release(s, bound ? bound : undefined, op > 0.9);
      else store.forget(s.tokenId);
      for (; applied < changes.length; applied++) replayed.apply(changes[applied]!);
      expect(
        keys.map((k) => replayed.used(k)),
        `step ${i}`,
      ).toEqual(keys.map((k) => store.used(k)));
    }
    const fromSnapshot = new MemoryQuotaStore();
    for (const c of store.snapshot()) fromSnapshot.apply(c);
    expect(keys.map((k) => fromSnapshot.used(k))).toEqual(keys.map((k) => store.used(k)));
    expect([changes.length, replayed.size, fromSnapshot.size, store.size]).toEqual([381, 11, 11, 11]);
  });
});

describe('each change undone leaves the counters as they were', () => {
  it('1,000 seeded consumes, releases and forgets on 4 bundles and their copies, each undone (the undo onChange was told) right after it is made: every snapshot, given-back counts and counters that did not exist included, is what it was before (381 changes undone); made again, they give the same 11 counters', () => {
    const subjects = Array.from({ length: 4 }, (_, i) => [
      subject(`t${i}`, 3 + i),
      subject(`t${i}`, 3 + i, [2]),
      subject(`t${i}`, 3 + i, [2, 1]),
      subject(`t${i}`, 3 + i, [1]),
    ]).flat();
    const rng = createRng('quota-changes');
    const undos: QuotaUndo[] = [];
    const store = new MemoryQuotaStore({ onChange: (_c, undo) => void undos.push(undo) });
    // Each token's counters, in token and key order (the order a map keeps is no count).
    const byKey = (a: [string, unknown], b: [string, unknown]) => a[0].localeCompare(b[0]);
    const snapshot = () =>
      [...store.snapshot()]
        .map((c) => ({ ...c, used: c.used.sort(byKey), givenBack: c.givenBack.sort(byKey) }))
        .sort((a, b) => a.tokenId.localeCompare(b.tokenId));
    let undone = 0;
    for (let i = 0; i < 1_000; i++) {
      const [op, s, bound] = [rng.next(), rng.pick(subjects), rng.int(3)];
      const step = () => {
        if (op < 0.6) store.consume(s, i);
        else if (op < 0.97) store.release(s, bound ? bound : undefined, op > 0.9);
        else store.forget(s.tokenId);
      };
      const before = snapshot();
      const told = undos.length;
      step();
      if (undos.length === told) continue;
      store.undo(undos.pop()!);
      undone++;
      expect(snapshot(), `step ${i}`).toEqual(before);
      step();
    }
    expect([undone, store.size]).toEqual([381, 11]);
  });
});
