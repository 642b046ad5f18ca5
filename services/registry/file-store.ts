import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RegistryData, RegistryStore } from './store.js';
import { LabError } from '../../infra/errors.js';

/**
 * A durable registry store: one JSON file, replaced atomically. Each save
 * writes `<file>.tmp`, fsyncs it and renames it over the file, so a crash
 * leaves either the old snapshot or the new one, never half of each.
 */
export class JsonFileRegistryStore implements RegistryStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<RegistryData | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new LabError('corrupt_store', `${this.path} is not valid JSON`, { cause: err });
    }
    if (!isRegistryData(data))
      throw new LabError(
        'corrupt_store',
        `${this.path} is not a registry snapshot (version 1 or 2 with listings, ratings, tombstones; ratingSums in version 2)`,
      );
    return data;
  }

  async save(data: RegistryData): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(data));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }
}

function isRegistryData(v: unknown): v is RegistryData {
  if (v === null || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  const sumsFit = d.version === 1 ? d.ratingSums === undefined : Array.isArray(d.ratingSums);
  return (
    (d.version === 1 || d.version === 2) &&
    sumsFit &&
    Array.isArray(d.listings) &&
    Array.isArray(d.ratings) &&
    Array.isArray(d.tombstones)
  );
}
