import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { LabError, isLabError } from '../../infra/errors.js';
import { createRng } from '../../infra/random.js';
import { EmbeddedWorld } from '../market/embedded-world.js';
import { parseScenarioText } from '../scenario/load.js';
import { applyOverrides, getPath, type Overrides } from '../scenario/overrides.js';
import type { Scenario } from '../scenario/schema.js';
import { NETWORK_FILE_MAX_BYTES } from '../scenario/network-file.js';
import type { SweepJob } from './protocol.js';

export type NetworkFileErrorCode = 'bad_network_file';

/**
 * The jobs with the content of the file each one's `network.file` names (the scenario's YAML with
 * the job's overrides), read here, where the sweep starts, relative to the working directory as a
 * local run reads it; each file is read once. A job whose scenario names none is left as it is.
 */
export function withNetworkFiles(jobs: readonly SweepJob[], yaml: string, file: string): SweepJob[] {
  const raw = parseScenarioText(yaml, file);
  const read = new Map<string, string>();
  return jobs.map((job) => {
    const path = getPath(applyOverrides(raw, job.overrides), 'network.file');
    if (typeof path !== 'string') return job;
    let text = read.get(path);
    if (text === undefined) read.set(path, (text = readNetworkFile(path)));
    return { ...job, networkFile: { path, text } };
  });
}

function readNetworkFile(path: string): string {
  const abs = resolve(path);
  try {
    const bytes = statSync(abs).size;
    if (bytes > NETWORK_FILE_MAX_BYTES)
      throw new LabError<NetworkFileErrorCode>(
        'bad_network_file',
        `network.file ${path} is ${bytes} bytes; a queued sweep sends it to its workers and takes at most ` +
          `${NETWORK_FILE_MAX_BYTES} bytes: use a smaller network file, or run the sweep without --queue`,
      );
    return readFileSync(abs, 'utf8');
  } catch (e) {
    if (isLabError(e)) throw e;
    throw new LabError<NetworkFileErrorCode>(
      'bad_network_file',
      `cannot read network.file ${path} (${abs}): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * How a worker runs a job that brought its network file: the scenario is validated against a copy
 * of the file on this machine (a content-named file under the temporary directory) and its world
 * built from that copy, while the scenario the run records still names the file as the coordinator
 * gave it, so its hash and summary are those of the local sweep.
 */
export interface ShippedNetwork {
  /** The job's overrides, with `network.file` pointing at the local copy. */
  overrides: Overrides;
  /** The scenario to run (naming the original file) and the world built from the copy. */
  prepare(loaded: Scenario, seed: string | number): { scenario: Scenario; world: EmbeddedWorld };
}

export function shippedNetwork(job: SweepJob): ShippedNetwork | undefined {
  const shipped = job.networkFile;
  if (!shipped) return undefined;
  const copy = localCopy(shipped.text, extname(shipped.path));
  return {
    overrides: { ...job.overrides, 'network.file': copy },
    prepare(loaded, seed) {
      const scenario = { ...loaded, network: { ...loaded.network, file: shipped.path } };
      try {
        // runScenario seeds its world the same way: createRng(seed), used by nothing else.
        return { scenario, world: new EmbeddedWorld(loaded.network, createRng(seed)) };
      } catch (e) {
        if (!isLabError(e, 'bad_network_file')) throw e;
        throw new LabError('bad_network_file', e.message.replaceAll(copy, shipped.path), { cause: e });
      }
    },
  };
}

// Written once per content (to a temporary name, then renamed), so threads and workers share it safely.
function localCopy(text: string, ext: string): string {
  const dir = join(tmpdir(), 'sim-sweep-networks');
  const path = join(dir, createHash('sha256').update(text).digest('hex').slice(0, 32) + (ext || '.json'));
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}-${threadId}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
  return path;
}
