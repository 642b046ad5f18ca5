import { hash, randomBytes } from 'node:crypto';

/**
 * A seeded pseudo-random stream (sfc32). One run has one root seed; every
 * entity derives its own stream with `fork(label)`, so adding an agent never
 * shifts another agent's draws (SimLN salts by pubkey the same way).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** An independent stream derived from this one's seed and `label`. */
  fork(label: string): Rng;
  /** Picks one element uniformly. Throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** Exponential draw with the given mean (inter-arrival times). */
  exponential(mean: number): number;
  /** Standard normal draw (Box-Muller). */
  normal(mean?: number, sd?: number): number;
}

export function createRng(seed: number | string): Rng {
  return new Sfc32(String(seed));
}

/**
 * Where secrets come from: macaroon root keys, token ids, invoice and
 * hold-invoice preimages, payment secrets, node keys. Every library entry
 * point defaults to `osSecrets`; only the simulator passes
 * `insecureSeededSecrets`, so its runs repeat.
 */
export interface SecretSource {
  /** `n` secret bytes. */
  bytes(n: number): Uint8Array;
  /** The source for one purpose: the OS source is itself, a seeded one forks its stream by `label`. */
  fork(label: string): SecretSource;
  /** True only for a seeded source: whoever knows the seed knows every secret drawn from it. */
  readonly insecure: boolean;
}

/** Secrets from the operating system's CSPRNG (`crypto.randomBytes`): the default everywhere. */
export const osSecrets: SecretSource = {
  bytes: (n) => new Uint8Array(randomBytes(n)),
  fork: () => osSecrets,
  insecure: false,
};

/**
 * Secrets drawn from a seeded stream, for simulations that must repeat
 * exactly. Anyone who knows the seed can recompute every key and preimage,
 * so nothing facing real buyers may use it.
 */
export function insecureSeededSecrets(rng: Rng): SecretSource {
  return new SeededSecrets(rng);
}

/** A seeded source (a class, not closures: the simulator makes one per node, thousands per market). */
class SeededSecrets implements SecretSource {
  readonly insecure = true;
  readonly #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  bytes(n: number): Uint8Array {
    return this.#rng.bytes(n);
  }

  fork(label: string): SecretSource {
    return new SeededSecrets(this.#rng.fork(label));
  }
}

/**
 * sfc32 seeded from SHA-256 of its seed string. The state is derived on the
 * first draw, not at construction: a stream that is only forked (an agent's
 * parent stream) or never drawn from costs a string, and a stream's draws
 * depend on its seed alone, never on when it was created.
 */
class Sfc32 implements Rng {
  readonly #seed: string;
  #seeded = false;
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  constructor(seed: string) {
    this.#seed = seed;
  }

  #init(): void {
    const h = hash('sha256', this.#seed, 'buffer');
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12) | 1;
    this.#seeded = true;
    for (let i = 0; i < 12; i++) this.#u32();
  }

  #u32(): number {
    if (!this.#seeded) this.#init();
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.#u32() / 4294967296;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.#u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  fork(label: string): Rng {
    return new Sfc32(`${this.#seed}/${label}`);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick needs a non-empty array');
    return items[this.int(items.length)]!;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
