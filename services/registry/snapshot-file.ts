import { LabError } from '../../infra/errors.js';
import { readDataFile } from './data-file.js';
import { replaceFile } from './durable-file.js';
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
  return { data, bytes: text.length };
}

/**
 * Writes `data` as the snapshot at `path`, atomically (see `replaceFile`),
 * and returns its size. The JSON is made a slice of items at a time between
 * writes, so even a snapshot of the largest registry blocks the event loop
 * only for one slice at a time. `data` must not change meanwhile (the
 * registry's snapshots share objects it replaces, never edits).
 */
export function writeSnapshotFile(path: string, data: RegistryData): Promise<number> {
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
