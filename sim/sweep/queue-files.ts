import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { NETWORK_FILE_MAX_BYTES } from '../scenario/network-file.js';
import type { SweepJob } from './protocol.js';
import { QUEUE_NAME, RESULT_TTL_SEC, type QueuedRun } from './queue-plan.js';

/**
 * The texts a queued sweep's jobs share (the scenario's YAML, the file its `network.file` names)
 * are stored in Redis once each, under their content's hash, and every job names them by that
 * hash: a sweep of N runs keeps one copy of each text there, not N.
 */

/** A text's name in a job: the hex SHA-256 of its UTF-8 bytes. */
export function textRef(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The Redis key of a shared text. */
export function textKey(ref: string): string {
  return `${QUEUE_NAME}:text:${ref}`;
}

/**
 * Stores each text under its ref, kept as long as stored results (`RESULT_TTL_SEC`) from now:
 * each coordinator start stores them again, so a resumed sweep's jobs find them.
 */
export async function storeTexts(redis: Redis, texts: Iterable<string>): Promise<void> {
  const write = redis.multi();
  for (const text of new Set(texts)) write.set(textKey(textRef(text)), text, 'EX', RESULT_TTL_SEC);
  const stored = await write.exec();
  const failed = stored?.find(([err]) => err)?.[0];
  if (!stored || failed)
    throw new Error(`storing the sweep's scenario texts failed: ${failed?.message ?? 'aborted'}`);
}

/** Why a worker cannot run a job whose text is not in Redis as its ref says: a job that fails for good. */
export class MissingText extends Error {}

/**
 * A worker's copies of the shared texts it has fetched, by ref: each is read from Redis once
 * (while it is in use, the latest `keep` of them are held) and checked against its ref.
 */
export class TextCache {
  readonly #texts = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly keep = 8,
  ) {}

  async get(ref: string, what: string): Promise<string> {
    const held = this.#texts.get(ref);
    if (held !== undefined) return held;
    const text = await this.redis.get(textKey(ref));
    if (text === null)
      throw new MissingText(
        `the sweep's ${what} (${ref.slice(0, 12)}…) is no longer in Redis (expired after 7 days, or deleted): ` +
          'run the sweep command again, which stores it again and re-runs this job',
      );
    if (textRef(text) !== ref)
      throw new MissingText(`the sweep's ${what} in Redis does not match its hash ${ref.slice(0, 12)}…`);
    if (this.#texts.size >= this.keep) this.#texts.delete(this.#texts.keys().next().value!);
    this.#texts.set(ref, text);
    return text;
  }
}

/** The job a worker thread runs, its texts fetched (a text that is missing or wrong: `MissingText`). */
export async function fetchedRun(run: QueuedRun, texts: TextCache): Promise<SweepJob> {
  const { textRef, networkFile, ...rest } = run;
  const job: SweepJob = { ...rest, text: await texts.get(textRef, 'scenario') };
  if (networkFile) {
    const text = await texts.get(networkFile.ref, `network file ${networkFile.path}`);
    if (Buffer.byteLength(text) > NETWORK_FILE_MAX_BYTES)
      throw new MissingText(`malformed job: its network file is larger than ${NETWORK_FILE_MAX_BYTES} bytes`);
    job.networkFile = { path: networkFile.path, text };
  }
  return job;
}
