import type { Msat } from '../../money.js';
import type { Clock } from '../../time/clock.js';
import type { Network } from '../node.js';
import type { ChannelGraph } from './graph.js';
import type { HtlcDeps } from './htlc.js';
import type { MissionControlOptions } from './mission-control.js';
import type { ShardCollector } from './mpp.js';
import type { Router, RouterKind } from './router.js';
import type { SettledArchive } from './settled-archive.js';

/** What the network knows about an invoice it issued, so paying it needs no decoding. */
export interface IssuedInvoice {
  payee: number;
  paymentHash: string;
  amountMsat?: Msat;
  expiresAtMs: number;
  minFinalCltv: number;
  /** The invoice's payment secret (BOLT11 `s`): the HTLC carries it to the payee, which refuses one without it. */
  paymentSecret?: string;
}

/** Everything the payment lifecycle reads from the network. */
export interface PaymentDeps {
  graph: ChannelGraph;
  router: Router;
  routerKind: RouterKind;
  clock: Clock;
  network: Network;
  /** The network signs its invoices: a foreign one must be signed too (`decodeInvoice`'s `allowUnsigned` otherwise). */
  signInvoices: boolean;
  htlc: HtlcDeps;
  online: boolean[];
  issued: Map<string, IssuedInvoice>;
  nodeByPubkey: Map<string, number>;
  maxAttempts: number;
  /** Succeeded payments forgotten with their invoices: a payer still refuses to pay their hashes again. */
  archive: Pick<SettledArchive, 'payment'>;
  missionControl?: MissionControlOptions;
  /** The payees' side of multi-part payments. */
  collector: ShardCollector;
  /** Multi-part payments (absent, or `maxParts` 1: every payment goes in one part). */
  multipart?: MultipartOptions;
}

/** How a payer splits a payment (LND's `max_parts`; a shard is never split below `minShardMsat`). */
export interface MultipartOptions {
  maxParts: number;
  minShardMsat: Msat;
}
