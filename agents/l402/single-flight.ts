/**
 * At most one purchase per key at a time: the first caller does the work,
 * later callers wait for it to finish and then look at the token store again.
 * That is what turns 100 concurrent requests for one resource into one payment.
 */
export class SingleFlight {
  readonly #inFlight = new Map<string, Promise<void>>();
  /** The results of the flights `share` started, by key, while they run. */
  readonly #shared = new Map<string, Promise<unknown>>();

  /** The flight in progress for `key`, if any (resolves when it ends, never rejects). */
  waitFor(key: string): Promise<void> | undefined {
    return this.#inFlight.get(key);
  }

  /** Runs `fn` as the flight for `key`; throws if one is already in progress (callers check first). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.#inFlight.has(key)) throw new Error(`single flight: ${key} is already in flight`);
    let done!: () => void;
    this.#inFlight.set(key, new Promise<void>((r) => (done = r)));
    try {
      return await fn();
    } finally {
      this.#inFlight.delete(key);
      this.#shared.delete(key);
      done();
    }
  }

  /**
   * Runs `fn` as the flight for `key`, or answers with the result (or error) of
   * the flight `share` started for `key` that is running: one run per key at a
   * time, every caller told its outcome. A flight `run` started is waited out first.
   */
  async share<T>(key: string, fn: () => Promise<T>): Promise<T> {
    for (let f = this.waitFor(key); f; f = this.waitFor(key)) {
      const running = this.#shared.get(key);
      if (running) return running as Promise<T>;
      await f;
    }
    // `fn` wrapped: even one that throws at once ends after `#shared` holds its result.
    const result = this.run(key, async () => fn());
    this.#shared.set(key, result);
    return result;
  }

  /** Keys in flight now. */
  get size(): number {
    return this.#inFlight.size;
  }
}
