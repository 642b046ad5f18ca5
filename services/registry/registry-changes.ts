import { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import type { Listing, ListingHealth, RatingRecord } from './types.js';

/**
 * One change to the registry's state, as the journal records it. Every write
 * the registry accepts is one or two of these; `RegistryState.apply` is the
 * one implementation of each, run live and again, on load, for every change
 * journaled after the snapshot.
 */
export type RegistryChange =
  /** A registration or update: the listing as kept (its id's tombstone, if any, dropped). */
  | { op: 'put'; listing: Listing }
  /** A probe result stored on a listing. */
  | { op: 'health'; id: string; health: ListingHealth }
  /** A removal: the listing goes, its id is tombstoned at `signedAt`, and tombstones older than `pruneBefore` are dropped. */
  | { op: 'remove'; id: string; signedAt: number; pruneBefore: number }
  /** An accepted rating: its record kept, its weight added to the listing's sums, the listing's served rating updated. */
  | { op: 'rate'; record: RatingRecord }
  /** Rating records made before `before` dropped (their invoices are too old to rate again). */
  | { op: 'prune_ratings'; before: number }
  /** A second payer key (`payer`) proved the payment of a rated record: the record is disputed, its weight out of its listing's sums. */
  | { op: 'dispute_rating'; paymentHash: string; payer: string };

/** A journaled change: `seq` counts every change the registry ever made, so a snapshot says which it includes. */
export interface JournalEntry {
  seq: number;
  change: RegistryChange;
}

const time = z.number();
const id = z.string().min(1);

/**
 * What a journal line must hold to be applied: the fields each change reads,
 * of the types it reads them as. The values are the registry's own, checked
 * when it accepted them, and kept as they are, as the snapshot's are: a line
 * it wrote is never refused on load.
 */
const journalEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  change: z.discriminatedUnion('op', [
    z.strictObject({ op: z.literal('put'), listing: z.looseObject({ id, nodePubkey: z.string() }) }),
    z.strictObject({
      op: z.literal('health'),
      id,
      health: z.looseObject({ alive: z.boolean(), checkedAt: time }),
    }),
    z.strictObject({ op: z.literal('remove'), id, signedAt: time, pruneBefore: time }),
    z.strictObject({
      op: z.literal('rate'),
      record: z.looseObject({
        listingId: id,
        paymentHash: id,
        score: z.number(),
        at: time,
        amountMsat: z.number(),
      }),
    }),
    z.strictObject({ op: z.literal('prune_ratings'), before: time }),
    z.strictObject({ op: z.literal('dispute_rating'), paymentHash: id, payer: z.string() }),
  ]),
});

/** `v` as a journal entry, or why it is not one. */
export function parseJournalEntry(
  v: unknown,
): { ok: true; entry: JournalEntry } | { ok: false; why: string } {
  const r = journalEntrySchema.safeParse(v, { error: plainErrorMap });
  if (!r.success) return { ok: false, why: describeIssues(r.error.issues) };
  return { ok: true, entry: v as JournalEntry };
}
