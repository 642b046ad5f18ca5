import type { Msat } from '../../infra/money.js';
import type { Decision, PaymentPolicy, PolicyContext, Offer, Reservation } from './types.js';

/**
 * Every part must allow. Parts are asked in order and the first deny wins;
 * an escalation is remembered but later parts still run, so a hard deny
 * after it still denies. When the answer is not "allow", every reservation
 * already taken is released together, so a refused purchase holds nothing.
 *
 * Synchronous parts keep the whole check atomic; an async part splits it, but
 * each budget still reserves atomically on its own, so no budget is overspent.
 */
export function allOf(parts: PaymentPolicy[]): PaymentPolicy {
  let nextId = 1;

  const finish = (
    offer: Offer,
    ctx: PolicyContext,
    taken: Taken[],
    escalation: Decision | undefined,
  ): Decision => {
    if (escalation) {
      releaseTaken(parts, taken);
      return escalation;
    }
    return {
      kind: 'allow',
      reservation: {
        id: nextId++,
        amountMsat: offer.amountMsat + offer.maxFeeMsat,
        atMs: ctx.nowMs,
        policy: 'all_of',
        // Every part allowed, so position i holds part i's reservation.
        parts: taken.map((t) => t.reservation),
      },
    };
  };

  const authorize = (offer: Offer, ctx: PolicyContext): Decision | Promise<Decision> => {
    const taken: Taken[] = [];
    let escalation: Decision | undefined;
    // Runs parts from index i; stays synchronous until a part returns a promise.
    const step = (i: number): Decision | Promise<Decision> => {
      for (; i < parts.length; i++) {
        const d = parts[i]!.authorize(offer, ctx);
        if (d instanceof Promise) {
          const at = i;
          return d.then(
            (resolved) => {
              const stop = absorb(at, resolved);
              return stop ?? step(at + 1);
            },
            (err: unknown) => {
              releaseTaken(parts, taken);
              throw err;
            },
          );
        }
        const stop = absorb(i, d);
        if (stop) return stop;
      }
      return finish(offer, ctx, taken, escalation);
    };
    const absorb = (index: number, d: Decision): Decision | undefined => {
      if (d.kind === 'allow') {
        taken.push({ index, reservation: d.reservation });
        return undefined;
      }
      if (d.kind === 'escalate') {
        escalation ??= d;
        return undefined;
      }
      releaseTaken(parts, taken);
      return d;
    };
    return step(0);
  };

  return {
    name: 'all_of',
    authorize,
    settle(reservation: Reservation, actualMsat: Msat): void {
      reservation.parts?.forEach((r, i) => parts[i]?.settle(r, actualMsat));
    },
    release(reservation: Reservation): void {
      if (reservation.parts) releaseAll(parts, reservation.parts);
    },
    // The lowest of the parts' ceilings: every part must allow.
    ceilingMsat(offer: Offer, ctx: PolicyContext): Msat | undefined {
      const each = parts.map((p) => p.ceilingMsat?.(offer, ctx)).filter((c) => c !== undefined);
      return each.length > 0 ? Math.min(...each) : undefined;
    },
    describe: () => `all_of(${parts.map((p) => p.describe()).join('; ')})`,
  };
}

interface Taken {
  index: number;
  reservation: Reservation;
}

function releaseTaken(parts: PaymentPolicy[], taken: readonly Taken[]): void {
  for (const t of taken) parts[t.index]?.release(t.reservation);
}

function releaseAll(parts: PaymentPolicy[], taken: readonly Reservation[]): void {
  taken.forEach((r, i) => parts[i]?.release(r));
}
