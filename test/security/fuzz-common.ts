import fc from 'fast-check';

/**
 * What one fuzz target saw: every case ends in an expected outcome, or is
 * counted as a problem: a 5xx, a crash (an exception that is not the
 * target's own error type), a hang (no answer before the deadline) or an
 * accepted forgery (a changed token, invoice or signed body taken as genuine,
 * or a hostile 402 paid against the checks).
 */
export interface FuzzTally {
  target: string;
  cases: number;
  status5xx: number;
  crashes: number;
  hangs: number;
  forgeries: number;
  /** Expected outcomes by name (HTTP status, error code, purchase outcome). */
  outcomes: Record<string, number>;
  /** The first few problems, to reproduce them. */
  problems: string[];
  /** Memory after every 10 % of the cases, in case order. */
  memory: MemorySample[];
}

/**
 * The process's memory after `cases` cases: resident set, and the JS heap in
 * use (after a full collection when the process runs with `--expose-gc`,
 * as the bench does, so what it counts is what is still reachable).
 */
export interface MemorySample {
  cases: number;
  rssMb: number;
  heapMb: number;
  /** Whether a full collection ran just before the heap was read. */
  afterGc: boolean;
}

/** An empty tally for `target`. */
export function newTally(target: string): FuzzTally {
  return {
    target,
    cases: 0,
    status5xx: 0,
    crashes: 0,
    hangs: 0,
    forgeries: 0,
    outcomes: {},
    problems: [],
    memory: [],
  };
}

/** The case counts (of `count`) after which memory is sampled: every 10 %. */
export function checkpoints(count: number): number[] {
  return [...new Set(Array.from({ length: 10 }, (_, i) => Math.ceil((count * (i + 1)) / 10)))].filter(
    (n) => n > 0,
  );
}

const MB = 1024 * 1024;

/** Samples the process's memory now, after a full collection when `gc` is exposed. */
export function sampleMemory(cases: number): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first collection's finalizers may free more.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { cases, rssMb: Math.round(m.rss / MB), heapMb: Math.round(m.heapUsed / MB), afterGc: !!gc };
}

/** Counts a case as started; once the cases before it are done, samples memory at each checkpoint. */
export function started(t: FuzzTally, count: number): void {
  if (checkpoints(count).includes(t.cases)) t.memory.push(sampleMemory(t.cases));
  t.cases++;
}

/** Samples memory once every case is done (the last checkpoint). */
export function finished(t: FuzzTally): FuzzTally {
  if (t.memory.at(-1)?.cases !== t.cases) t.memory.push(sampleMemory(t.cases));
  return t;
}

/** Counts an expected outcome. */
export function outcome(t: FuzzTally, name: string): void {
  t.outcomes[name] = (t.outcomes[name] ?? 0) + 1;
}

/** Counts a problem and keeps its description (the first ten). */
export function problem(
  t: FuzzTally,
  kind: 'status5xx' | 'crashes' | 'hangs' | 'forgeries',
  detail: string,
): void {
  t[kind]++;
  if (t.problems.length < 10) t.problems.push(`${kind}: ${detail.slice(0, 300)}`);
}

/** `count` values of `arb`, drawn in batches from seeds derived from `seed`: the same seed, the same cases. */
export function* draws<T>(arb: fc.Arbitrary<T>, seed: number, count: number, batch = 500): Generator<T> {
  for (let done = 0, b = 0; done < count; b++) {
    const n = Math.min(batch, count - done);
    yield* fc.sample(arb, { seed: (seed * 1_000_003 + b) | 0, numRuns: n });
    done += n;
  }
}

/** Marks a case that did not answer before its deadline. */
export const HANG = Symbol('hang');

/** `p`, or HANG after `ms` of wall time (a fail-safe so a hung case is counted, not waited for forever). */
export async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof HANG>((r) => (timer = setTimeout(() => r(HANG), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

type Edit =
  | { k: 'replace'; at: number; s: string }
  | { k: 'delete'; at: number; n: number }
  | { k: 'insert'; at: number; s: string }
  | { k: 'truncate'; at: number }
  | { k: 'repeat'; n: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    k: fc.constant('replace' as const),
    at: fc.nat(),
    s: fc.string({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ maxLength: 32 }) }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('repeat' as const), n: fc.integer({ min: 2, max: 40 }) }),
);

/** The longest string a repeat edit makes: hostile values stay within 64 KiB (four repeats could reach 500 MB). */
export const MAX_MUTATED_CHARS = 64 * 1024;

function apply(s: string, e: Edit): string {
  const at = s.length ? (e.k === 'repeat' ? 0 : e.at % (s.length + 1)) : 0;
  switch (e.k) {
    case 'replace':
      return s.slice(0, at) + e.s + s.slice(at + e.s.length);
    case 'delete':
      return s.slice(0, at) + s.slice(at + e.n);
    case 'insert':
      return s.slice(0, at) + e.s + s.slice(at);
    case 'truncate':
      return s.slice(0, at);
    case 'repeat':
      return s.repeat(Math.max(1, Math.min(e.n, Math.floor(MAX_MUTATED_CHARS / Math.max(1, s.length)))));
  }
}

/** `base` with one to four random edits (replace, delete, insert, truncate, repeat up to `MAX_MUTATED_CHARS`). */
export function mutatedString(base: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce(apply, base));
}

/** `base` with bit flips, a truncation, appended or replaced bytes. */
export function mutatedBytes(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 })
      .map((flips) => {
        const b = Uint8Array.from(base);
        for (const [i, bit] of flips) b[i % b.length]! ^= 1 << bit;
        return b;
      }),
    fc.nat().map((n) => base.slice(0, n % base.length)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => Uint8Array.from([...base, ...extra])),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, bytes]) => {
      const b = Uint8Array.from(base);
      b.set(bytes.slice(0, Math.max(0, b.length - (at % b.length))), at % b.length);
      return b;
    }),
    fc.uint8Array({ maxLength: 600 }),
  );
}

/** Runs a synchronous-or-async check over `count` draws; counts crashes for anything `isExpected` does not accept. */
export async function runCases<T>(
  t: FuzzTally,
  arb: fc.Arbitrary<T>,
  seed: number,
  count: number,
  check: (value: T, t: FuzzTally) => Promise<void> | void,
  isExpected: (err: unknown) => string | undefined = () => undefined,
): Promise<FuzzTally> {
  for (const v of draws(arb, seed, count)) {
    started(t, count);
    try {
      await check(v, t);
    } catch (err) {
      const code = isExpected(err);
      if (code !== undefined) outcome(t, code);
      else
        problem(
          t,
          'crashes',
          `${(err as Error)?.stack ?? String(err)} on ${JSON.stringify(v)?.slice(0, 200)}`,
        );
    }
  }
  return finished(t);
}
