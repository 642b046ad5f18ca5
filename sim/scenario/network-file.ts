import { LabError, isLabError } from '../../infra/errors.js';
import { readRunText } from '../metrics/run-file.js';

/**
 * Reading the file a scenario's `network.file` names: one checked read for validation
 * (`networkFileText`), the run's embedded network (`readNetworkFileText`) and a queued sweep,
 * which ships the file to its workers (sim/sweep/network-file.ts).
 */

/**
 * Largest `network.file` read, and shipped by a queued sweep: Redis keeps one copy for the sweep
 * (sim/sweep/queue-files.ts), each worker up to 8 such texts, and each job hands its thread a
 * copy. A SimLN file of 50,000 nodes and 1,000,000 channels (limits.ts) is about 20 MB.
 */
export const NETWORK_FILE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The file's text (relative to the working directory), opened without waiting (a named pipe with
 * no writer would hang), only a regular file (a device such as /dev/zero never ends, a directory
 * has no text), at most `NETWORK_FILE_MAX_BYTES`; else a LabError('bad_run_file') saying why.
 */
function checkedText(path: string): string {
  return readRunText(path, (why) => new LabError('bad_run_file', why), NETWORK_FILE_MAX_BYTES);
}

/** The text of `network.file` as `checkedText` reads it, and JSON, or why it cannot be used (validation). */
export function networkFileText(path: string): { text: string } | { problem: string } {
  try {
    const text = checkedText(path);
    JSON.parse(text);
    return { text };
  } catch (err) {
    if (isLabError(err, 'bad_run_file')) return { problem: err.message };
    if (err instanceof SyntaxError) return { problem: `not JSON (${err.message})` };
    throw err;
  }
}

/**
 * The text of `network.file` as `checkedText` reads it, for a run: a file that cannot be used
 * (replaced since it was validated, or never validated) is a LabError('bad_network_file').
 */
export function readNetworkFileText(path: string): string {
  try {
    return checkedText(path);
  } catch (err) {
    if (!isLabError(err, 'bad_run_file')) throw err;
    throw new LabError(
      'bad_network_file',
      `cannot read network.file ${path}: ${err.message}; give a regular file of SimLN sim_network JSON, at most ${NETWORK_FILE_MAX_BYTES / 2 ** 20} MiB`,
      { cause: err },
    );
  }
}
