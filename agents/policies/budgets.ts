import type { Clock } from '../../infra/time/clock.js';
import type { Msat } from '../../infra/money.js';
import type { BudgetBook } from './budget-book.js';
import { Ledger, type LedgerRefusal, type WindowAlign } from './ledger.js';
import { heldAmount, type Decision, type PaymentPolicy, type Offer, type Reservation } from './types.js';

/** Where an offer's name for a cap is missing (the caller gave none): keyed apart from any real name. */
const UNKNOWN = '\u0000unknown';

/** A time window for a budget: none (all time) or a length in ms, rolling or calendar-aligned. */
export interface BudgetWindow {
  windowMs?: number;
  align?: WindowAlign;
}

/** What a budget needs: the clock, and where to keep its spends so they outlive the process (optional). */
export interface BudgetDeps {
  clock: Clock;
  /** Spends are read from and written to it, so limits hold across restarts (`FileBudgetBook`). */
  book?: BudgetBook;
  /**
   * Where the budget sits in its policy (`all_of[1].`; empty at the top): its entries in the book
   * are named with it, so two budgets of one kind (a day and a week `budget_window`) keep their
   * spends apart. `createPolicy` sets it.
   */
  bookPrefix?: string;
}

interface KeyedBudgetOptions extends BudgetWindow, BudgetDeps {
  name: string;
  /** Which budget an offer draws on. */
  keyOf: (offer: Offer) => string;
  /** The limit for a key; undefined means the key has no budget, so its offers are refused. */
  limitOf: (key: string) => Msat | undefined;
  /** How a key reads in a refusal. */
  label: (key: string) => string;
  describe: string;
}

/**
 * The spends a budget's book entry holds. A nested budget whose entry is new falls back on the
 * entry every budget of its kind shared before entries were named by position: that one may
 * count a spend more than once, which refuses more, never less (fail closed).
 */
function restored(book: BudgetBook, name: string, shared: string) {
  const own = book.spends(name);
  return own.length > 0 || name === shared ? own : book.spends(shared);
}

/**
 * The shared mechanics of every budget: one ledger per key, reserve the offer's
 * worst case (amount + fee ceiling) synchronously, settle the actual spend.
 */
function keyedBudget(o: KeyedBudgetOptions): PaymentPolicy {
  const ledgers = new Map<string, Ledger>();
  const keys = new Map<number, string>();
  let nextId = 1;

  const bookName = (key: string) => `${o.bookPrefix ?? ''}${o.name}:${key}`;
  const ledgerFor = (key: string): Ledger | undefined => {
    let ledger = ledgers.get(key);
    if (!ledger) {
      const limit = o.limitOf(key);
      if (limit === undefined) return undefined;
      ledger = new Ledger(limit, o.windowMs, o.align);
      if (o.book) ledger.restore(restored(o.book, bookName(key), `${o.name}:${key}`));
      ledgers.set(key, ledger);
    }
    return ledger;
  };

  /** The allow, once the hold is on the book (a hold the book cannot keep is no allow). */
  const allowed = (id: number, key: string, amountMsat: Msat, atMs: number): Decision | Promise<Decision> => {
    const allow: Decision = { kind: 'allow', reservation: { id, amountMsat, atMs, policy: o.name } };
    if (!o.book) return allow;
    return o.book.hold(bookName(key), id, { atMs, amountMsat }).then(
      () => allow,
      (err: unknown) => {
        keys.delete(id);
        ledgers.get(key)?.release(id);
        return unrecorded(o.name, err);
      },
    );
  };

  return {
    name: o.name,
    authorize(offer, ctx): Decision | Promise<Decision> {
      const id = nextId++;
      const amountMsat = heldAmount(offer);
      const key = o.keyOf(offer);
      const ledger = ledgerFor(key);
      if (!ledger) return noLimit(o, key);
      const refusal = ledger.tryReserve(id, amountMsat, ctx.nowMs);
      if (refusal) return overBudget(o.name, key, refusal);
      keys.set(id, key);
      return allowed(id, key, amountMsat, ctx.nowMs);
    },
    settle(reservation: Reservation, actualMsat: Msat): void {
      const key = keys.get(reservation.id);
      if (key === undefined) return;
      keys.delete(reservation.id);
      const nowMs = o.clock.now();
      const ledger = ledgers.get(key);
      ledger?.settle(reservation.id, actualMsat, nowMs);
      if (!o.book) return;
      if (ledger) o.book.compact(bookName(key), ledger.windowStart(nowMs));
      o.book.settle(bookName(key), reservation.id, { atMs: nowMs, amountMsat: actualMsat });
    },
    release(reservation: Reservation): void {
      const key = keys.get(reservation.id);
      if (key === undefined) return;
      keys.delete(reservation.id);
      ledgers.get(key)?.release(reservation.id);
      o.book?.release(bookName(key), reservation.id);
    },
    // What the offer's budget has free now, less its fee ceiling (held with the price); 0 without a limit.
    ceilingMsat(offer, ctx): Msat {
      const free = ledgerFor(o.keyOf(offer))?.available(ctx.nowMs) ?? 0;
      return Math.max(0, free - offer.maxFeeMsat);
    },
    describe: () => o.describe,
  };
}

/** Fail closed: an offer no limit covers (unknown or unlisted name, no default) is not paid. */
function noLimit(o: KeyedBudgetOptions, key: string): Decision {
  return {
    kind: 'deny',
    outcome: 'policy_denied',
    policy: o.name,
    reason: `${o.name}: no limit for ${o.label(key)} and no defaultMsat`,
  };
}

/** The offer's worst case does not fit under the key's limit; the refusal carries the numbers. */
function overBudget(name: string, key: string, refusal: LedgerRefusal): Decision {
  return {
    kind: 'deny',
    outcome: 'over_budget',
    policy: name,
    reason:
      `${name}${key ? ` '${key === UNKNOWN ? '(unknown)' : key}'` : ''}: ${refusal.askedMsat} msat (price + fee ceiling) would exceed ` +
      `the limit of ${refusal.limitMsat} msat (spent ${refusal.spentMsat}, reserved ${refusal.reservedMsat})`,
  };
}

/** A hold the budget book could not record is no allow. */
function unrecorded(name: string, err: unknown): Decision {
  const why = (err as Error)?.message ?? String(err);
  return {
    kind: 'deny',
    outcome: 'policy_denied',
    policy: name,
    reason: `${name}: cannot record the hold: ${why}`,
  };
}

function windowText(w: BudgetWindow): string {
  if (w.windowMs === undefined) return 'in total';
  return `per ${w.windowMs} ms (${w.align ?? 'rolling'})`;
}

/** Caps all spending (amount + fees) over a window of the injected clock: "10k sat per day". */
export function budgetWindow(params: { limitMsat: Msat } & BudgetWindow, deps: BudgetDeps): PaymentPolicy {
  return keyedBudget({
    name: 'budget_window',
    ...deps,
    windowMs: params.windowMs,
    align: params.align,
    keyOf: () => '',
    limitOf: () => params.limitMsat,
    label: () => 'the budget',
    describe: `budget_window: ${params.limitMsat} msat ${windowText(params)}`,
  });
}

/** A cap's key as a refusal names it. */
function named(field: string): (key: string) => string {
  return (key) => (key === UNKNOWN ? `${field} (unknown)` : `${field} '${key}'`);
}

/**
 * Caps spending per service name; services not listed use `defaultMsat`, and
 * without it are refused (so is an offer whose service the caller did not name).
 * The name comes from the caller or the signed listing, never from the seller's 402.
 */
export function serviceCap(
  params: { limits: Record<string, Msat>; defaultMsat?: Msat } & BudgetWindow,
  deps: BudgetDeps,
): PaymentPolicy {
  return keyedBudget({
    name: 'service_cap',
    ...deps,
    windowMs: params.windowMs,
    align: params.align,
    keyOf: (q) => q.service ?? UNKNOWN,
    limitOf: (key) => (Object.hasOwn(params.limits, key) ? params.limits[key] : params.defaultMsat),
    label: named('service'),
    describe: `service_cap: ${JSON.stringify(params.limits)} msat ${windowText(params)}`,
  });
}

/** Caps spending per registry category, like `serviceCap` (unlisted categories without a default are refused). */
export function categoryCap(
  params: { limits: Record<string, Msat>; defaultMsat?: Msat } & BudgetWindow,
  deps: BudgetDeps,
): PaymentPolicy {
  return keyedBudget({
    name: 'category_cap',
    ...deps,
    windowMs: params.windowMs,
    align: params.align,
    keyOf: (q) => q.category ?? UNKNOWN,
    limitOf: (key) => (Object.hasOwn(params.limits, key) ? params.limits[key] : params.defaultMsat),
    label: named('category'),
    describe: `category_cap: ${JSON.stringify(params.limits)} msat ${windowText(params)}`,
  });
}
