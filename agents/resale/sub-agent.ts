import { pathWithin } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import {
  createL402Client,
  MemoryTokenStore,
  type L402Client,
  type PurchaseHints,
  type PurchaseResult,
  type StoredToken,
  type TokenStore,
  tokenUsable,
} from '../l402/index.js';
import { budgetWindow, type PaymentPolicy } from '../policies/index.js';
import { adoptToken, type DelegatedToken } from './delegate.js';

/** A sub-agent's parts. */
export interface SubAgentOptions {
  name: string;
  node: LightningNode;
  fetch: typeof fetch;
  clock: Clock;
  /** Total it may spend buying slices (default: no limit unless `policy` is given). */
  budgetMsat?: Msat;
  policy?: PaymentPolicy;
  tokens?: TokenStore;
  logger?: Logger;
}

/** A sub-agent: lives on tokens handed down or bought as slices, calls the origin with them. */
export interface SubAgent {
  readonly name: string;
  readonly client: L402Client;
  /** Buys a slice from a reseller (pay-on-success) and adopts it. */
  buySlice(
    sliceUrl: string,
    hints?: PurchaseHints,
  ): Promise<{ result: PurchaseResult; slice?: DelegatedToken }>;
  /** Adopts a token handed down by a parent. */
  receive(token: DelegatedToken): Promise<StoredToken>;
  /**
   * Calls the origin with the tokens it holds; never buys there (`reuseOnly`).
   * When the token in use is spent, the next slice held for that scope takes its place.
   */
  call(url: string, init?: RequestInit): Promise<PurchaseResult>;
}

/**
 * Creates a sub-agent with its own node, client and budget.
 *
 * @example
 * const sub = createSubAgent({ name: 's1', node, fetch, clock, budgetMsat: 20_000 });
 * await sub.buySlice('http://reseller.test/slice');
 * const r = await sub.call('http://origin.test/v1/data');
 */
export function createSubAgent(o: SubAgentOptions): SubAgent {
  const tokens = o.tokens ?? new MemoryTokenStore();
  const policy =
    o.policy ??
    (o.budgetMsat !== undefined ? budgetWindow({ limitMsat: o.budgetMsat }, { clock: o.clock }) : undefined);
  const client = createL402Client({
    node: o.node,
    fetch: o.fetch,
    clock: o.clock,
    tokens,
    buyer: o.name,
    ...(policy ? { policy } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });

  async function buySlice(sliceUrl: string, hints: PurchaseHints = {}) {
    const result = await client.purchase(sliceUrl, {}, { payOnSuccess: true, buyer: o.name, ...hints });
    if (result.outcome !== 'success' || !result.response) return { result };
    let slice: DelegatedToken | undefined;
    try {
      slice = parseSlice(await result.response.json());
    } catch {
      slice = undefined;
    }
    if (!slice)
      return {
        result: {
          ...result,
          outcome: 'not_delivered' as const,
          reason: 'the reseller answered without a usable slice',
        },
      };
    try {
      await hold(slice);
    } catch (err) {
      // The macaroon is not one the origin's verifier would read: no slice was delivered.
      const reason = `the reseller's slice is unusable: ${(err as Error).message}`;
      return { result: { ...result, outcome: 'not_delivered' as const, reason } };
    }
    return { result, slice };
  }

  // A token store holds one token per scope, so a second slice bought while the
  // first still has calls left waits here instead of replacing (and wasting) it.
  const spare = new SpareSlices(tokens, o.clock);
  const hold = (slice: DelegatedToken) => spare.hold(slice);
  const nextSpare = (url: string) => spare.next(url);

  async function call(url: string, init?: RequestInit): Promise<PurchaseResult> {
    for (;;) {
      const r = await client.purchase(url, init, { reuseOnly: true, buyer: o.name });
      // Only when nothing was served: the held token was spent or refused, not a failed service.
      const spent =
        r.outcome === 'quota_exhausted' ||
        r.outcome === 'policy_denied' ||
        r.outcome === 'token_rejected' ||
        r.outcome === 'token_refused';
      if (!spent || !(await nextSpare(url))) return r;
      await r.response?.body?.cancel();
    }
  }

  return {
    name: o.name,
    client,
    buySlice,
    receive: (t) => adoptToken(tokens, t, o.clock),
    call,
  };
}

/** Checks the shape of a slice from an untrusted reseller. */
function parseSlice(body: unknown): DelegatedToken | undefined {
  const b = body as Record<string, unknown>;
  const str = (k: string) => typeof b?.[k] === 'string';
  if (!str('origin') || !str('service') || !str('macaroon') || !str('preimage')) return undefined;
  if (!/^[0-9a-f]{64}$/i.test(b.preimage as string)) return undefined;
  return {
    origin: b.origin as string,
    service: b.service as string,
    macaroon: b.macaroon as string,
    preimage: b.preimage as string,
    ...(Number.isSafeInteger(b.calls) ? { calls: b.calls as number } : {}),
    ...(Number.isSafeInteger(b.validUntilMs) ? { validUntilMs: b.validUntilMs as number } : {}),
    ...(typeof b.pathPrefix === 'string' ? { pathPrefix: b.pathPrefix } : {}),
  };
}

/** Slices bought ahead: adopted into the token store one at a time, as each runs out. */
class SpareSlices {
  readonly #spare: DelegatedToken[] = [];
  constructor(
    readonly tokens: TokenStore,
    readonly clock: Clock,
  ) {}

  /** Adopts the slice, or keeps it for later while the held token for its scope still works. */
  async hold(slice: DelegatedToken): Promise<void> {
    const held = this.tokens.get(slice.origin, slice.pathPrefix ?? '/');
    if (held && held.pathPrefix === (slice.pathPrefix ?? '/') && tokenUsable(held, this.clock.now()))
      this.#spare.push(slice);
    else await adoptToken(this.tokens, slice, this.clock);
  }

  /** Adopts the next unexpired spare slice covering `url`; false when none is left. */
  async next(url: string): Promise<boolean> {
    const { origin, pathname } = new URL(url);
    for (;;) {
      const i = this.#spare.findIndex(
        (t) => t.origin === origin && pathWithin(pathname, t.pathPrefix ?? '/'),
      );
      if (i < 0) return false;
      const [slice] = this.#spare.splice(i, 1);
      if (slice!.validUntilMs !== undefined && this.clock.now() >= slice!.validUntilMs) continue;
      await adoptToken(this.tokens, slice!, this.clock);
      return true;
    }
  }
}
