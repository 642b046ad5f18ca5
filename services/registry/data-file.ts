import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../../infra/errors.js';

/** A registry data path (`--data FILE` or its journal) that is not a file the registry can keep. */
export type DataFileErrorCode = 'not_a_file';

/**
 * The bytes of the registry's file at `path`, or undefined when there is
 * none. A path that is there but not a file is refused as `not_a_file`
 * naming it, before anything reads it: a directory, or a named pipe whose
 * read would wait for a writer forever.
 */
export async function readDataFile(path: string): Promise<Buffer | undefined> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR')
      throw notAFile(`${path} cannot be made: a part of ${dirname(path)} is a file`);
    throw err;
  });
  if (!st) return undefined;
  if (!st.isFile()) throw notAFile(`${path} is ${kindOf(st)}, not a file`);
  return readFile(path);
}

function notAFile(message: string): LabError<DataFileErrorCode> {
  return new LabError('not_a_file', message);
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}
