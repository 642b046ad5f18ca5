import { lockFile, type FileLock } from '../../infra/file-lock.js';
import { LineJournal } from './line-journal.js';
import {
  DEFAULT_MAX_COUNTERS_PER_TOKEN,
  type QuotaResult,
  type QuotaStore,
  type QuotaStoreLimits,
  type QuotaSubject,
  type ReleaseResult,
} from './quota-store.js';

interface TokenCounters {
  untilMs: number;
  used: Map<string, number>;
  givenBack: Map<string, number>;
}

/**
 * One journal line: new values of some counters of token `t`. `u` present: the token's counters
 * start afresh, kept until `u` (null: for ever); `x`: they are dropped (`forget`).
 */
interface Change {
  t: string;
  u?: number | null;
  used?: Record<string, number>;
  back?: Record<string, number>;
  x?: 1;
}

/** Options of `FileQuotaStore.open`. */
export interface FileQuotaStoreOptions extends QuotaStoreLimits {
  /** Journal bytes below which it is never rewritten (default 1 MiB); above, once it is twice the last rewrite. */
  compactFloorBytes?: number;
}

/**
 * A `QuotaStore` whose counters survive a restart: `MemoryQuotaStore`'s rules
 * (reservations by copies, the counter bound per token, give-backs and their
 * bound, `forget`, counters kept until `validUntilMs`). The check and the
 * count are one synchronous step in memory, as there; each change is then one
 * JSON line of the journal at `path` (line-journal.ts: the lines of calls
 * arriving together written and fdatasynced together), and `consume` or
 * `release` resolves once its line is on disk, so a call is counted there
 * before it runs. A write that fails rejects them, and the change stays
 * counted in memory (never a call handed out twice). Opening replays the
 * journal, dropping a torn last line (the process died inside that write: the
 * call it counted never ran). Once the journal outgrows `compactFloorBytes` and
 * twice its last rewrite, it is rewritten as one line per token, tokens whose
 * counters have expired dropped: it grows with the counters kept, as the
 * memory store does, not with the calls. A lock (`<path>.lock`,
 * infra/file-lock.ts) keeps a second opener out, LabError('file_locked');
 * `close` releases it. A bad line before the last: LabError('journal_corrupt').
 */
export class FileQuotaStore implements QuotaStore {
  readonly path: string;
  readonly #tokens: Map<string, TokenCounters>;
  readonly #perToken: number;
  readonly #floor: number;
  readonly #lock: FileLock;
  readonly #journal: LineJournal<Change>;
  #compactAt = 0;
  #nowMs = Number.NEGATIVE_INFINITY;
  #sinceSweep = 0;

  private constructor(
    tokens: Map<string, TokenCounters>,
    journal: LineJournal<Change>,
    lock: FileLock,
    o: FileQuotaStoreOptions,
  ) {
    this.path = journal.path;
    this.#tokens = tokens;
    this.#journal = journal;
    this.#lock = lock;
    this.#perToken = o.maxCountersPerToken ?? DEFAULT_MAX_COUNTERS_PER_TOKEN;
    this.#floor = o.compactFloorBytes ?? 1024 * 1024;
  }

  /** Takes the lock of `path`, replays its journal (none yet: no counters) and rewrites it. */
  static async open(path: string, options: FileQuotaStoreOptions = {}): Promise<FileQuotaStore> {
    const lock = await lockFile(path, 'quota counters');
    try {
      const tokens = new Map<string, TokenCounters>();
      const replay = (changes: Change[]) => {
        for (const c of changes) apply(tokens, c);
        return snapshot(tokens);
      };
      const journal = await LineJournal.open(path, 'quota counters', isChange, replay);
      const store = new FileQuotaStore(tokens, journal, lock, options);
      store.#compactAt = Math.max(store.#floor, 2 * journal.bytes);
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Checks and counts at once, as the memory store does; a counted call resolves once it is on disk. */
  consume(token: QuotaSubject, nowMs: number): QuotaResult | Promise<QuotaResult> {
    this.#maybeSweep(nowMs);
    const { quotas } = token;
    if (quotas.length === 0) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const entry = this.#tokens.get(token.tokenId);
    const at = deepestCounted(entry, quotas);
    if (at !== quotas.length - 1) return this.#open(token, entry, at);
    const q = quotas[at]!;
    const used = entry!.used.get(q.key)!;
    if (used >= q.limit) return { ok: false, reason: 'exhausted', key: q.key, limit: q.limit, used };
    return this.#counted(
      { t: token.tokenId, used: { [q.key]: used + 1 } },
      { ok: true, remaining: q.limit - used - 1 },
    );
  }

  /** The chain's first call below counter `at`, as `MemoryQuotaStore` counts it. */
  #open(
    token: QuotaSubject,
    entry: TokenCounters | undefined,
    at: number,
  ): QuotaResult | Promise<QuotaResult> {
    const { quotas } = token;
    const last = quotas.length - 1;
    const parent = at >= 0 ? quotas[at]! : undefined;
    const reserving = quotas[at + 1]!.limit;
    const used = parent ? entry!.used.get(parent.key)! : 0;
    if (parent && used + reserving > parent.limit)
      return { ok: false, reason: 'exhausted', key: parent.key, limit: parent.limit, used, reserving };
    const limit = Math.max(this.#perToken, 2 * (token.callsSold ?? 0));
    if ((entry?.used.size ?? 0) + last - at > limit) return { ok: false, reason: 'too_many_counters', limit };
    const counts: Record<string, number> = {};
    if (parent) counts[parent.key] = used + reserving;
    for (let i = at + 1; i < last; i++) counts[quotas[i]!.key] = quotas[i + 1]!.limit;
    counts[quotas[last]!.key] = 1;
    const fresh = entry ? {} : { u: token.validUntilMs ?? null };
    return this.#counted(
      { t: token.tokenId, ...fresh, used: counts },
      { ok: true, remaining: quotas[last]!.limit - 1 },
    );
  }

  release(
    token: QuotaSubject,
    maxGivenBack: number | undefined,
    notRun = false,
  ): ReleaseResult | Promise<ReleaseResult> {
    const e = this.#tokens.get(token.tokenId);
    if (!e) return { ok: true };
    for (const q of notRun ? [] : token.quotas) {
      const limit = Math.min(maxGivenBack ?? q.limit, q.limit);
      if ((e.givenBack.get(q.key) ?? 0) >= limit) return { ok: false, key: q.key, limit };
    }
    const own = token.quotas.at(-1);
    const used = own && e.used.get(own.key);
    const change: Change = { t: token.tokenId };
    if (own && used) change.used = { [own.key]: used - 1 };
    if (!notRun && own)
      change.back = Object.fromEntries(token.quotas.map((q) => [q.key, (e.givenBack.get(q.key) ?? 0) + 1]));
    return change.used || change.back ? this.#counted(change, { ok: true }) : { ok: true };
  }

  used(key: string): number {
    return this.#tokens.get(key.split(':')[0]!)?.used.get(key) ?? 0;
  }

  forget(tokenId: string): Promise<void> | undefined {
    return this.#tokens.has(tokenId) ? this.#commit({ t: tokenId, x: 1 }) : undefined;
  }

  /** Number of counters held. */
  get size(): number {
    let n = 0;
    for (const e of this.#tokens.values()) n += e.used.size;
    return n;
  }

  /** Rewrites the journal, closes it and releases the lock; the store takes no more calls. */
  async close(): Promise<void> {
    if (this.#journal.closed) return;
    await this.#compact();
    await this.#journal.close();
    await this.#lock.release();
  }

  /** `result` once `change` is on disk. */
  #counted<R>(change: Change, result: R): Promise<R> {
    return this.#commit(change).then(() => result);
  }

  /** Counts the change now (so the next call sees it); resolves once it is on disk. */
  #commit(change: Change): Promise<void> {
    const written = this.#journal.append(change);
    apply(this.#tokens, change);
    if (this.#journal.bytes < this.#compactAt) return written;
    // The rewrite holds the change: its line is written with it, and fails with it.
    written.catch(() => {});
    return this.#compact();
  }

  /** The journal rewritten as one line per token whose counters are still kept. */
  #compact(): Promise<void> {
    for (const [id, e] of this.#tokens) if (e.untilMs <= this.#nowMs) this.#tokens.delete(id);
    const written = this.#journal.rewrite(snapshot(this.#tokens));
    this.#compactAt = Math.max(this.#floor, 2 * this.#journal.bytes);
    return written;
  }

  // As the memory store: a pass once per as many calls as there are tokens.
  #maybeSweep(nowMs: number): void {
    this.#nowMs = Math.max(this.#nowMs, nowMs);
    if (++this.#sinceSweep < Math.max(1024, this.#tokens.size)) return;
    this.#sinceSweep = 0;
    for (const [id, e] of this.#tokens) if (e.untilMs <= nowMs) this.#tokens.delete(id);
  }
}

/** Every kept token's counters, one line each. */
function* snapshot(tokens: Map<string, TokenCounters>): Iterable<Change> {
  for (const [t, e] of tokens) {
    const u = Number.isFinite(e.untilMs) ? e.untilMs : null;
    yield { t, u, used: Object.fromEntries(e.used), back: Object.fromEntries(e.givenBack) };
  }
}

function apply(tokens: Map<string, TokenCounters>, c: Change): void {
  if (c.x) return void tokens.delete(c.t);
  let e = tokens.get(c.t);
  if (!e || c.u !== undefined) {
    e = { untilMs: c.u ?? Number.POSITIVE_INFINITY, used: new Map(), givenBack: new Map() };
    tokens.set(c.t, e);
  }
  for (const [k, n] of Object.entries(c.used ?? {})) e.used.set(k, n);
  for (const [k, n] of Object.entries(c.back ?? {})) e.givenBack.set(k, n);
}

function isChange(v: unknown): v is Change {
  const c = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const counts = (m: unknown) =>
    m === undefined ||
    (typeof m === 'object' && m !== null && !Array.isArray(m) && Object.values(m).every(isCount));
  const x = c.x === undefined || c.x === 1;
  return typeof c.t === 'string' && Number.isFinite(c.u ?? 0) && counts(c.used) && counts(c.back) && x;
}

const isCount = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;

/** The index of the chain's deepest quota that has a counter, or -1 (as the memory store's). */
function deepestCounted(entry: TokenCounters | undefined, quotas: QuotaSubject['quotas']): number {
  if (!entry) return -1;
  for (let i = quotas.length - 1; i >= 0; i--) if (entry.used.has(quotas[i]!.key)) return i;
  return -1;
}
