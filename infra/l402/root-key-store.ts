/**
 * Where a server keeps each token's root key, by token id (hex). Deleting
 * the key revokes the token: its signature can no longer be checked.
 */

/** Storage for per-token root keys; implementations may be remote, hence async. */
export interface RootKeyStore {
  get(tokenId: string): Promise<Uint8Array | undefined>;
  put(tokenId: string, key: Uint8Array): Promise<void>;
  delete(tokenId: string): Promise<void>;
}

/** An in-process `RootKeyStore` (a Map); keys are copied in and out so callers cannot mutate them. */
export class MemoryRootKeyStore implements RootKeyStore {
  readonly #keys = new Map<string, Uint8Array>();

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    return this.#keys.get(tokenId)?.slice();
  }

  async put(tokenId: string, key: Uint8Array): Promise<void> {
    this.#keys.set(tokenId, key.slice());
  }

  async delete(tokenId: string): Promise<void> {
    this.#keys.delete(tokenId);
  }

  /** How many tokens are stored. */
  get size(): number {
    return this.#keys.size;
  }
}
