import type { QuotaResult, QuotaSubject } from './quota-store.js';

/** The call counters of one token, as `MemoryQuotaStore` keeps them. */
export interface TokenCounters {
  /** When no copy of the token can be valid any more (Infinity without a lifetime): its counters go then. */
  untilMs: number;
  /** Calls counted under each quota key: its own, and the limits of the copies attenuated from it. */
  used: Map<string, number>;
  /** Calls given back under each quota key (a 5xx); kept as long as the counter. */
  givenBack: Map<string, number>;
}

/**
 * One change of a token's counters: what a `consume`, `release` or `forget` that changes a counter
 * does to them. New values, not increments. A durable store writes each change down and replays
 * what it wrote through `DirectWriter.apply`, which makes every change the store makes.
 */
export interface QuotaChange {
  tokenId: string;
  /** Defined: the token's counters start afresh (it had none), kept until then (Infinity: for ever). */
  freshUntilMs?: number;
  /** The token can never be presented again: its counters are dropped (`forget`). */
  drop?: true;
  /** New counts of calls used: [quota key, count]. */
  used: [string, number][];
  /** New counts of calls given back: [quota key, count]. */
  givenBack: [string, number][];
}

/**
 * What undoes one change, read just before it is made: the token had no counters (`drop`: undoing
 * drops them), or the change dropped them (`whole`: they come back), or else the old values of the
 * counts it sets (undefined: that counter did not exist, and undoing removes it). Exact when every
 * later change of the token has been undone first.
 */
export interface QuotaUndo {
  tokenId: string;
  drop?: true;
  whole?: QuotaChange;
  used: [string, number | undefined][];
  givenBack: [string, number | undefined][];
}

/**
 * How a store's counting changes its counters: `start` a change of one token, set counts
 * (`used`, `givenBack`), `end` it; or `drop` a token's counters.
 */
export interface CounterWriter {
  /** A change of token `tokenId`'s counters `e`; none: they start afresh, kept until `untilMs` (none: for ever). */
  start(tokenId: string, e: TokenCounters | undefined, untilMs?: number): void;
  used(key: string, n: number): void;
  givenBack(key: string, n: number): void;
  end(): void;
  drop(tokenId: string): void;
}

/** Makes each change as it is counted, building nothing: the only code that changes counters (expiry aside). */
export class DirectWriter implements CounterWriter {
  readonly #tokens: Map<string, TokenCounters>;
  #e: TokenCounters | undefined;

  constructor(tokens: Map<string, TokenCounters>) {
    this.#tokens = tokens;
  }

  start(tokenId: string, e: TokenCounters | undefined, untilMs?: number): void {
    this.#e = e ?? this.#fresh(tokenId, untilMs ?? Number.POSITIVE_INFINITY);
  }

  used(key: string, n: number): void {
    this.#e!.used.set(key, n);
  }

  givenBack(key: string, n: number): void {
    this.#e!.givenBack.set(key, n);
  }

  /** Nothing to finish: each count was made as it was set. */
  end(): void {}

  drop(tokenId: string): void {
    this.#tokens.delete(tokenId);
  }

  /** What undoes change `c`, which is about to be made. */
  undoOf(c: QuotaChange): QuotaUndo {
    const e = this.#tokens.get(c.tokenId);
    const undo: QuotaUndo = { tokenId: c.tokenId, used: [], givenBack: [] };
    if (!e) return { ...undo, drop: true };
    if (c.drop) return { ...undo, whole: wholeChange(c.tokenId, e) };
    for (const [key] of c.used) undo.used.push([key, e.used.get(key)]);
    for (const [key] of c.givenBack) undo.givenBack.push([key, e.givenBack.get(key)]);
    return undo;
  }

  /** Undoes a change (`undoOf`); the token's later changes must have been undone first. */
  undo(u: QuotaUndo): void {
    if (u.drop) return this.drop(u.tokenId);
    if (u.whole) return this.apply(u.whole);
    const e = this.#tokens.get(u.tokenId);
    if (!e) return; // expired since: nothing is left of it to undo
    for (const [key, n] of u.used) setOrDelete(e.used, key, n);
    for (const [key, n] of u.givenBack) setOrDelete(e.givenBack, key, n);
  }

  /** Makes change `c` (a token without counters and not fresh: kept for ever). */
  apply(c: QuotaChange): void {
    if (c.drop) return this.drop(c.tokenId);
    const fresh = c.freshUntilMs !== undefined;
    this.start(c.tokenId, fresh ? undefined : this.#tokens.get(c.tokenId), c.freshUntilMs);
    for (const [key, n] of c.used) this.used(key, n);
    for (const [key, n] of c.givenBack) this.givenBack(key, n);
    this.end();
  }

  #fresh(tokenId: string, untilMs: number): TokenCounters {
    const e = { untilMs, used: new Map<string, number>(), givenBack: new Map<string, number>() };
    this.#tokens.set(tokenId, e);
    return e;
  }
}

function setOrDelete(counts: Map<string, number>, key: string, n: number | undefined): void {
  if (n === undefined) counts.delete(key);
  else counts.set(key, n);
}

/**
 * Builds each change, tells `onChange` of it and of what undoes it (a throw: not made), then makes
 * it (`DirectWriter.apply`).
 */
export class RecordingWriter implements CounterWriter {
  readonly #direct: DirectWriter;
  readonly #onChange: (change: QuotaChange, undo: QuotaUndo) => void;
  #c: QuotaChange = { tokenId: '', used: [], givenBack: [] };

  constructor(direct: DirectWriter, onChange: (change: QuotaChange, undo: QuotaUndo) => void) {
    this.#direct = direct;
    this.#onChange = onChange;
  }

  start(tokenId: string, e: TokenCounters | undefined, untilMs = Number.POSITIVE_INFINITY): void {
    this.#c = { tokenId, ...(e ? {} : { freshUntilMs: untilMs }), used: [], givenBack: [] };
  }

  used(key: string, n: number): void {
    this.#c.used.push([key, n]);
  }

  givenBack(key: string, n: number): void {
    this.#c.givenBack.push([key, n]);
  }

  /** Tells and makes the change, if it changes anything. */
  end(): void {
    const c = this.#c;
    if (!c.drop && c.used.length + c.givenBack.length === 0) return;
    this.#onChange(c, this.#direct.undoOf(c));
    this.#direct.apply(c);
  }

  drop(tokenId: string): void {
    this.#c = { tokenId, drop: true, used: [], givenBack: [] };
    this.end();
  }
}

/** Token `tokenId`'s counters `e` as one change making them afresh (a snapshot's line). */
export function wholeChange(tokenId: string, e: TokenCounters): QuotaChange {
  return { tokenId, freshUntilMs: e.untilMs, used: [...e.used], givenBack: [...e.givenBack] };
}

/**
 * The index of the chain's deepest quota that has a counter, or -1. The chain's counters are
 * made together on its first call, so every quota before it has one too.
 */
export function deepestCounted(entry: TokenCounters | undefined, quotas: QuotaSubject['quotas']): number {
  if (!entry) return -1;
  for (let i = quotas.length - 1; i >= 0; i--) if (entry.used.has(quotas[i]!.key)) return i;
  return -1;
}

/** One more call on the copy's own counter `q`, when it has one left. */
export function countOn(
  w: CounterWriter,
  token: QuotaSubject,
  e: TokenCounters,
  q: QuotaSubject['quotas'][number],
): QuotaResult {
  const used = e.used.get(q.key)!;
  if (used >= q.limit) return { ok: false, reason: 'exhausted', key: q.key, limit: q.limit, used };
  w.start(token.tokenId, e);
  w.used(q.key, used + 1);
  w.end();
  return { ok: true, remaining: q.limit - used - 1 };
}
