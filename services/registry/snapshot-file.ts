import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { replaceFile } from '../../infra/durable-file.js';
import { LabError } from '../../infra/errors.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import { readDataFile } from './data-file.js';
import { snapshotFields, type RegistryData } from './store.js';

/** Array items stringified per write: small enough that one write does not hold up the event loop. */
const ITEMS_PER_WRITE = 1_000;

/**
 * The snapshot at `path` and its size, or undefined when there is no file; a file that is not a
 * snapshot is a `corrupt_store` error, a path that is not a file (a directory) `not_a_file`.
 */
export async function readSnapshotFile(
  path: string,
): Promise<{ data: RegistryData; bytes: number } | undefined> {
  const text = await readDataFile(path);
  if (!text) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new LabError('corrupt_store', `${path} is not valid JSON`, { cause: err });
  }
  if (!isRegistryData(data))
    throw new LabError(
      'corrupt_store',
      `${path} is not a registry snapshot (version 1 or 2 with listings, ratings, tombstones; ratingSums in version 2; seq, if given, a count of changes)`,
    );
  const items = snapshotItemsSchema.safeParse(data, { error: plainErrorMap });
  if (!items.success)
    throw new LabError(
      'corrupt_store',
      `${path} is not a registry snapshot: ${describeIssues(items.error.issues, { shown: 1 })}; ` +
        'restore it from a backup, or mend or delete that entry',
    );
  return { data, bytes: text.length };
}

/**
 * What each entry of a snapshot must hold to be loaded: the fields the registry reads, of the types
 * it reads them as (loose: a field it does not read is kept as it is). The values are the
 * registry's own, checked when it accepted them; this stops a damaged entry before it is used.
 */
const str = z.string();
const snapshotItemsSchema = z.looseObject({
  listings: z.array(
    z.looseObject({
      id: z.string().min(1),
      nodePubkey: str,
      url: str,
      category: str,
      capabilities: z.array(str),
      tiers: z.array(z.looseObject({ tier: z.number(), kind: str, priceMsat: z.number() })).min(1),
    }),
  ),
  ratings: z.array(z.looseObject({ listingId: str, paymentHash: str, score: z.number(), at: z.number() })),
  ratingSums: z
    .array(z.looseObject({ listingId: str, weightedScoreMsat: str, paidMsat: str, count: z.number() }))
    .optional(),
  tombstones: z.array(z.looseObject({ id: str, signedAt: z.number() })),
});

/**
 * Writes `data` as the snapshot at `path` (its directory made if missing),
 * atomically (`replaceFile`, infra/durable-file.ts: a temporary file created
 * exclusively under a random name, so a file or link planted beside `path` is
 * never written through), and returns its size. The JSON is made a slice of
 * items at a time between writes, so even a snapshot of the largest registry
 * blocks the event loop only for one slice at a time. `data` must not change
 * meanwhile (the registry's snapshots share objects it replaces, never edits).
 */
export async function writeSnapshotFile(path: string, data: RegistryData): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  return replaceFile(path, snapshotText(data));
}

/** The JSON of `snapshotFields(data)`, in pieces. */
function* snapshotText(data: RegistryData): Generator<string> {
  const { listings, ratings, ratingSums, tombstones, ...head } = snapshotFields(data);
  yield JSON.stringify(head).slice(0, -1);
  const arrays: [string, readonly unknown[] | undefined][] = [
    ['listings', listings],
    ['ratings', ratings],
    ['ratingSums', ratingSums],
    ['tombstones', tombstones],
  ];
  for (const [key, items] of arrays) {
    if (items === undefined) continue;
    yield `,${JSON.stringify(key)}:[`;
    for (let i = 0; i < items.length; i += ITEMS_PER_WRITE)
      yield (i > 0 ? ',' : '') + JSON.stringify(items.slice(i, i + ITEMS_PER_WRITE)).slice(1, -1);
    yield ']';
  }
  yield '}';
}

function isRegistryData(v: unknown): v is RegistryData {
  if (v === null || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  const sumsFit = d.version === 1 ? d.ratingSums === undefined : Array.isArray(d.ratingSums);
  const seqFits = d.seq === undefined || (Number.isSafeInteger(d.seq) && (d.seq as number) >= 0);
  return (
    (d.version === 1 || d.version === 2) &&
    sumsFit &&
    seqFits &&
    Array.isArray(d.listings) &&
    Array.isArray(d.ratings) &&
    Array.isArray(d.tombstones)
  );
}
