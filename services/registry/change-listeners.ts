import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Listing, RegistryEvent } from './types.js';

/**
 * The registry's change listeners: each event goes to every listener,
 * synchronously and in order, as a copy a listener cannot use to edit the
 * registry; a listener that throws is logged and the others still run.
 */
export class ChangeListeners {
  readonly #listeners = new Set<(e: RegistryEvent) => void>();

  constructor(private readonly log: Logger) {}

  /** Adds `listener`; returns the unsubscribe function. */
  subscribe(listener: (e: RegistryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers a copy of `e` to every listener. */
  emit(e: RegistryEvent): void {
    if (this.#listeners.size === 0) return; // no one to copy it for
    const event = { ...e, listing: structuredClone(e.listing) } as RegistryEvent;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err, type: e.type }, 'registry listener threw');
      }
    }
  }

  /** A `price_changed` event, when the price a buyer sees moved (`after` undefined: nothing known). */
  priceChange(listing: Listing, before: Msat | undefined, after: Msat | undefined): void {
    if (after !== undefined && before !== after)
      this.emit({ type: 'price_changed', listing, previousPriceMsat: before, priceMsat: after });
  }
}
