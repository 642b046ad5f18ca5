import { z } from 'zod';
import { LndError } from './errors.js';
import { describeIssues, plainErrorMap } from '../../zod-wording.js';

/*
 * The JSON shapes LND's REST proxy (v0.20) sends, as far as we read them.
 * LND emits snake_case names, every field (EmitUnpopulated), int64 as decimal
 * strings and bytes as standard base64. Unknown fields are dropped.
 */

/** How LND writes an int64: a decimal integer, no sign other than `-`, no leading zeros, no exponent. */
const DECIMAL_RE = /^-?(0|[1-9][0-9]*)$/;

/** An int64 field: LND sends decimal strings; we accept safe integers only. */
export const int64 = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' || DECIMAL_RE.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a safe integer, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

/** An amount in msat (a `*_msat` field): an int64 that is never negative; a negative one is refused. */
export const msat = int64.transform((n, ctx) => {
  if (n < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a non-negative amount of msat, got ${n}` });
    return z.NEVER;
  }
  return n;
});

/** A uint32 field: LND sends it as a JSON number. */
export const uint32 = z.number().int().min(0).max(0xffff_ffff);

/** A nanosecond timestamp (over 2^53, so read as a BigInt): converted to whole milliseconds. */
const nanosToMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'string' ? !DECIMAL_RE.test(v) : !Number.isSafeInteger(v)) {
    ctx.addIssue({ code: 'custom', message: `expected whole nanoseconds, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return Number(BigInt(v) / 1_000_000n);
});

const bytes = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

export const lndInvoiceSchema = z.object({
  memo: z.string().default(''),
  r_preimage: bytes,
  r_hash: bytes,
  value_msat: msat,
  creation_date: int64,
  settle_date: int64.default(0),
  payment_request: z.string(),
  expiry: int64,
  amt_paid_msat: msat.default(0),
  state: z.enum(['OPEN', 'SETTLED', 'CANCELED', 'ACCEPTED']),
  add_index: int64.default(0),
  settle_index: int64.default(0),
  htlcs: z
    .array(z.object({ amt_msat: msat, state: z.string() }))
    .nullish()
    .transform((v) => v ?? []),
});
export type LndInvoice = z.infer<typeof lndInvoiceSchema>;

const htlcAttemptSchema = z.object({
  status: z.string(),
  route: z
    .object({
      hops: z
        .array(z.object({ pub_key: z.string().default('') }))
        .nullish()
        .transform((v) => v ?? []),
      total_fees_msat: msat.default(0),
    })
    .nullish(),
  attempt_time_ns: nanosToMs.default(0),
  resolve_time_ns: nanosToMs.default(0),
  failure: z.object({ code: z.string().default(''), failure_source_index: uint32.default(0) }).nullish(),
});

export const lndPaymentSchema = z.object({
  payment_hash: z.string(),
  value_msat: msat,
  payment_preimage: z.string().default(''),
  status: z.enum(['UNKNOWN', 'IN_FLIGHT', 'SUCCEEDED', 'FAILED', 'INITIATED']),
  fee_msat: msat.default(0),
  creation_time_ns: nanosToMs.default(0),
  htlcs: z
    .array(htlcAttemptSchema)
    .nullish()
    .transform((v) => v ?? []),
  failure_reason: z.string().default('FAILURE_REASON_NONE'),
  payment_index: int64.default(0),
});
export type LndPayment = z.infer<typeof lndPaymentSchema>;

export const lndGetInfoSchema = z.object({
  identity_pubkey: z.string(),
  alias: z.string().default(''),
  block_height: uint32.default(0),
  synced_to_chain: z.boolean().default(false),
  num_active_channels: uint32.default(0),
  num_peers: uint32.default(0),
  chains: z
    .array(z.object({ chain: z.string(), network: z.string() }))
    .nullish()
    .transform((v) => v ?? []),
  version: z.string().default(''),
});
export type LndGetInfo = z.infer<typeof lndGetInfoSchema>;

const amount = z.object({ sat: int64.default(0), msat: msat.default(0) }).nullish();
export const lndChannelBalanceSchema = z.object({
  local_balance: amount,
  remote_balance: amount,
  unsettled_local_balance: amount,
  unsettled_remote_balance: amount,
});

export const lndWalletBalanceSchema = z.object({ confirmed_balance: int64.default(0) });

export const lndChannelSchema = z.object({
  active: z.boolean().default(false),
  remote_pubkey: z.string(),
  channel_point: z.string(),
  chan_id: z.string().default('0'),
  capacity: int64,
  local_balance: int64.default(0),
  remote_balance: int64.default(0),
  private: z.boolean().default(false),
  pending_htlcs: z
    .array(z.object({ incoming: z.boolean(), amount: int64 }))
    .nullish()
    .transform((v) => v ?? []),
});
export const lndChannelListSchema = z.object({
  channels: z
    .array(lndChannelSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type LndChannel = z.infer<typeof lndChannelSchema>;

export const lndPayReqSchema = z.object({
  destination: z.string(),
  payment_hash: z.string(),
  num_msat: msat.default(0),
  timestamp: int64,
  expiry: int64,
  description: z.string().default(''),
  /** Passed back verbatim to QueryRoutes. */
  route_hints: z
    .array(z.unknown())
    .nullish()
    .transform((v) => v ?? []),
});
export type LndPayReq = z.infer<typeof lndPayReqSchema>;

export const lndAddInvoiceSchema = z.object({
  r_hash: bytes,
  payment_request: z.string(),
  add_index: int64.default(0),
});

/** Parses an LND response with `schema`, or throws `LndError('bad_response')` naming the call. */
export function parseWire<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value, { error: plainErrorMap });
  if (r.success) return r.data;
  const problem = describeIssues(r.error.issues, { whole: 'the top level', shown: 1 });
  throw new LndError('bad_response', `${where}: unexpected response from LND at ${problem}`, {
    cause: r.error,
  });
}

/** Standard base64 (LND's bytes fields) to lowercase hex. */
export const b64ToHex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');
/** Lowercase hex to standard base64 (request bodies). */
export const hexToB64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
/**
 * Lowercase hex to URL-safe base64 *with* padding (bytes in REST paths and
 * queries): grpc-gateway tries standard then URL-safe base64, both padded.
 */
export const hexToB64Url = (hex: string): string =>
  Buffer.from(hex, 'hex').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Checks a 32-byte hash or preimage given as hex, so bad input is refused before it reaches LND. */
export function assertHex32(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new LndError(
      'bad_request',
      `${what} must be 64 hex characters (32 bytes), got ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}
