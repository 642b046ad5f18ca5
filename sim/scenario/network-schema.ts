import { z } from 'zod';
import { checkDistribution, type Distribution } from '../../infra/lightning/simnet/index.js';
import { latencySchema, msat, nonNegInt, posInt } from './fields.js';
import { channelCount, groupCount } from './limits.js';
import { drawsBelow, largestBound } from './draw-bounds.js';
import { belowMinHtlc, MIN_CHANNEL_MSAT } from './capacities.js';

/**
 * The embedded network's realism settings: how channels of each class are
 * sized, balanced and priced, how agents attach to routers, and how payers
 * pay (multi-part, failures unrelated to liquidity, attempts, fee ceiling).
 * Every field is optional: a scenario without them runs exactly as before.
 */

const num = (what: string) => z.number({ error: `expected ${what}` }).min(0, { error: `expected ${what}` });
const count = (what = 'a positive integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
const intMsat = (what = 'a non-negative integer number of msat') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` })
    .max(Number.MAX_SAFE_INTEGER, { error: 'expected a safe integer number of msat' });

/** A distribution's options: fixed | uniform | lognormal | pareto | empirical. */
const distributions = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), value: num('a number ≥ 0') }),
  z.strictObject({ dist: z.literal('uniform'), min: num('a number ≥ 0'), max: num('a number ≥ 0') }),
  z.strictObject({
    dist: z.literal('lognormal'),
    median: num('a positive median'),
    sigma: num('a shape sigma ≥ 0'),
    min: num('a number ≥ 0').optional(),
    max: num('a number ≥ 0').optional(),
  }),
  z.strictObject({
    dist: z.literal('pareto'),
    scale: num('a positive scale (the smallest value)'),
    alpha: num('a positive tail index alpha'),
    max: num('a number ≥ 0').optional(),
  }),
  z.strictObject({
    dist: z.literal('empirical'),
    values: z.array(num('a number ≥ 0')).min(1, { error: 'expected at least one value' }),
    weights: z.array(num('a weight ≥ 0')).optional(),
  }),
]);

const SAFE = Number.MAX_SAFE_INTEGER.toLocaleString('en-US');

/**
 * A whole amount drawn per channel (a capacity, a fee): its field, its unit,
 * why it stays within 2^53 − 1 (`past`), why an unbounded one is refused,
 * and the least one draw may be (a capacity: `MIN_CHANNEL_MSAT`).
 */
interface Amount {
  what: string;
  unit: string;
  past: string;
  unbounded: string;
  least?: number;
}

/** A distribution that can be sampled; for an `amount`, one whose draws stay within a safe integer. */
function distribution(amount?: Amount) {
  return distributions.superRefine((d, ctx) => {
    try {
      checkDistribution(d as Distribution, 'distribution');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^distribution: /, '') });
      return;
    }
    if (!amount) return;
    const top = largestBound(d as Distribution);
    if (top === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `required: a ${d.dist} ${amount.what} without max can draw any amount, and ${amount.unbounded}; add max, the largest ${amount.what} (${amount.unit}) one channel may have`,
      });
    else if (Math.round(top.given) > Number.MAX_SAFE_INTEGER)
      ctx.addIssue({
        code: 'custom',
        path: top.at,
        message: `expected at most ${SAFE} ${amount.unit} (2^53 − 1${amount.past})`,
      });
    const low = amount.least === undefined ? undefined : drawsBelow(d as Distribution, amount.least);
    if (low) ctx.addIssue({ code: 'custom', path: low.at, message: belowMinHtlc(low.given) });
  });
}

/** A distribution of a channel property: fixed | uniform | lognormal | pareto | empirical. */
const distributionSchema = distribution();

/** A fee drawn per channel direction, msat or ppm: a draw past 2^53 − 1 stops market setup. */
const feeSchema = (what: string, unit: string) =>
  distribution({
    what,
    unit,
    past: ': a draw past it stops market setup',
    unbounded: `a draw past ${SAFE} (2^53 − 1) stops market setup`,
  });

/**
 * A channel's capacity in msat: bounded, since the money check counts each
 * channel at its largest capacity, and drawing no less than one minimum
 * HTLC (`MIN_CHANNEL_MSAT`; a `lognormal` one without `min` draws its
 * smaller amounts as that).
 */
const capacitySchema = distribution({
  what: 'capacity',
  unit: 'msat',
  past: ", the most a market's sums count exactly",
  unbounded: `the market's money (at most ${SAFE} msat in all) is counted at each channel's largest capacity`,
  least: MIN_CHANNEL_MSAT,
});

/**
 * One channel class: capacity (msat), split (the funder's share, 0..1), and
 * each direction's fees (msat, ppm). A capacity or fee is drawn as a whole
 * amount: a `lognormal` or `pareto` one needs `max`, none may draw past
 * 2^53 − 1, and no capacity below 1,000 msat.
 */
export const channelClassSchema = z.strictObject({
  capacity: capacitySchema.optional(),
  split: distributionSchema.optional(),
  baseFee: feeSchema('baseFee', 'msat').optional(),
  feeRate: feeSchema('feeRate', 'ppm').optional(),
});

/** Channel classes: router-to-router, and router-to-seller (the router funds it; `count` channels per seller). */
export const channelClassesSchema = z.strictObject({
  router: channelClassSchema.optional(),
  seller: channelClassSchema.extend({ count: channelCount().optional() }).optional(),
});

/** How payers pay on the embedded network. */
export const paymentsSchema = z.strictObject({
  /** Most shards per payment (1: single-part). */
  maxParts: count().optional(),
  /** Shards are never split below this. */
  minShardMsat: count('a positive integer number of msat').optional(),
  /** Chance that a forwarding node fails an HTLC for a reason other than liquidity. */
  hopFailureProbability: z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, { error: 'expected a number between 0 and 1' })
    .optional(),
  /** Routes (or failed shards) tried per payment before giving up. */
  maxAttempts: count().optional(),
  /** The buyers' routing-fee ceiling: `ppm` of the amount, at least `minMsat` (default: 1%, at least 1 sat). */
  maxFee: z
    .strictObject({ ppm: intMsat('a non-negative integer ppm'), minMsat: intMsat().default(0) })
    .optional(),
});

export type ChannelClassSpec = z.infer<typeof channelClassSchema>;
export type PaymentsSpec = z.infer<typeof paymentsSchema>;

/** The fee ceiling a payments spec sets, or undefined for the client's default. */
export function feeCeiling(p: PaymentsSpec | undefined): ((amountMsat: number) => number) | undefined {
  const m = p?.maxFee;
  if (!m) return undefined;
  return (amountMsat) => Math.max(m.minMsat, Math.floor((amountMsat * m.ppm) / 1_000_000));
}

/** How the embedded network's routers are connected. */
export const topologySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hub_and_spoke'), hubs: groupCount().default(1) }),
  z.strictObject({ kind: z.literal('ring'), routers: groupCount().default(4) }),
  z.strictObject({
    kind: z.literal('scale_free'),
    routers: groupCount().default(8),
    edgesPerNode: posInt().default(2),
  }),
]);

/** The embedded Lightning network, or a file describing a real one. */
export const networkSchema = z.strictObject({
  topology: topologySchema.default({ kind: 'hub_and_spoke', hubs: 1 }),
  /** Capacity of each router-to-router channel. */
  routerChannelMsat: msat().default(10_000_000_000),
  /** Capacity of a seller's channel from its router (the router pushes nothing: sellers start empty). */
  sellerChannelMsat: msat().default(1_000_000_000),
  baseFeeMsat: msat().default(100),
  feeRatePpm: nonNegInt().default(1000),
  hopLatency: latencySchema.default(10),
  /** A network description file: SimLN sim_network JSON (embedded: its nodes are the routers), or the regtest network.json. */
  file: z.string().optional(),
  // Network realism (sim/scenario/network-schema.ts); absent fields leave the network as above.
  /** Capacity, balance split and fee distributions per channel class. */
  channels: channelClassesSchema.optional(),
  /** How agents pick their router: in turn (default), or with probability proportional to its channel count. */
  attach: z.enum(['round_robin', 'degree']).optional(),
  /** Multi-part payments, failures unrelated to liquidity, attempts, the buyers' fee ceiling. */
  payments: paymentsSchema.optional(),
  /**
   * 'unsigned' (embedded only): BOLT11 invoices carry no signature and buyers accept that, for large
   * runs where nobody outside the process could check one; summary.json records it. Default: signed.
   */
  invoices: z.enum(['signed', 'unsigned']).optional(),
});
