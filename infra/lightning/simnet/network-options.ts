import type { Logger } from '../../log.js';
import type { Rng, SecretSource } from '../../random.js';
import type { Clock } from '../../time/clock.js';
import { LabError } from '../../errors.js';
import type { LatencyModel } from './latency.js';
import { checkMissionControlOptions, type MissionControlOptions } from './mission-control.js';
import type { MultipartOptions } from './payment-deps.js';
import type { RouterKind } from './router.js';

/** Options of `new SimNetwork(…)`. */
export interface SimNetworkOptions {
  clock: Clock;
  /** Seeds latency and hop-failure draws (a stream per payer); keys and preimages come from `secrets`. */
  rng: Rng;
  /**
   * Node keys, invoice preimages and payment secrets (default: the OS CSPRNG,
   * so two networks never share a key). Only simulations pass
   * `insecureSeededSecrets(rng)` to repeat a run exactly.
   */
  secrets?: SecretSource;
  /** Per-hop HTLC update delay (default: log-normal, median 40 ms). */
  latency?: LatencyModel;
  /**
   * Sign invoices with the node key (default true). With false, invoices
   * carry the payee in an `n` field and an all-zero signature: same format,
   * no ECDSA work; only `decodeInvoice(…, { allowUnsigned: true })` reads them.
   * Zero-amount invoices stay signed: they are the node's message signatures
   * (registry listing attestations).
   */
  signInvoices?: boolean;
  /** 'lnd' (default): capacities + mission control. 'omniscient': true balances. */
  router?: RouterKind;
  /** Routes tried per payment before giving up with `no_route` (default 10). */
  maxAttempts?: number;
  missionControl?: MissionControlOptions;
  /** Multi-part payments: most shards per payment and the smallest shard (default: one part). */
  multipart?: MultipartOptions;
  /**
   * Forget settled invoices too once they expire, and the payers' records of
   * them (default false: a node keeps its record of what it was paid). For
   * long simulations, whose memory then stays bounded by the invoices of one
   * expiry window instead of growing with every payment; the same sweep as
   * for unpaid invoices runs it, as invoices are issued. Lookups still find
   * the last 100,000 forgotten, trimmed (`SettledArchive`).
   */
  forgetSettledInvoices?: boolean;
  /** Chance that a forwarding node fails an HTLC for reasons other than liquidity (default 0). */
  hopFailureProbability?: number;
  /**
   * Node slots (one per node of the graph per search) the route searches
   * shared by payers may hold in all (`RouterOptions.sharedSlots`, default
   * 2^21, about 80 MB): fewer keep less memory, and the least recently used
   * searches go sooner; 0 shares none (every payer searches alone). Routes
   * are the same whatever it is.
   */
  sharedSlots?: number;
  logger?: Logger;
}

/**
 * Refuses options the network cannot run with, naming the option and the
 * value (thrown by the constructor; an option left out takes its default).
 */
export function checkNetworkOptions({
  router,
  maxAttempts,
  hopFailureProbability,
  multipart,
  missionControl,
  sharedSlots,
}: SimNetworkOptions): void {
  if (router !== undefined && router !== 'lnd' && router !== 'omniscient')
    throw new LabError('invalid_topology', `router must be 'lnd' or 'omniscient', got ${String(router)}`);
  if (maxAttempts !== undefined && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1))
    throw new LabError('invalid_topology', `maxAttempts must be a positive integer, got ${maxAttempts}`);
  if (hopFailureProbability !== undefined && !(hopFailureProbability >= 0 && hopFailureProbability <= 1))
    throw new LabError(
      'invalid_payment_options',
      `hopFailureProbability must be a number in 0..1, got ${String(hopFailureProbability)}`,
    );
  if (sharedSlots !== undefined && (!Number.isSafeInteger(sharedSlots) || sharedSlots < 0))
    throw new LabError(
      'invalid_topology',
      `sharedSlots must be a whole number of node slots, 0 or more (0: no shared route searches), got ${String(sharedSlots)}`,
    );
  if (multipart) checkMultipart(multipart);
  if (missionControl) checkMissionControlOptions(missionControl);
}

function checkMultipart({ maxParts, minShardMsat }: MultipartOptions): void {
  if (!Number.isSafeInteger(maxParts) || maxParts < 1)
    throw new LabError(
      'invalid_payment_options',
      `multipart.maxParts must be a positive integer, got ${maxParts}`,
    );
  if (!Number.isSafeInteger(minShardMsat) || minShardMsat < 1)
    throw new LabError(
      'invalid_payment_options',
      `multipart.minShardMsat must be a positive integer number of msat, got ${minShardMsat}`,
    );
}
