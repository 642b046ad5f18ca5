import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { LabError } from '../errors.js';
import { describeIssues, plainErrorMap } from '../zod-wording.js';
import { isOurs, stopProcess, type ProcessRecord } from './processes.js';
import { CHAIN_DAEMONS } from './topology.js';

export const processSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  cmd: z.string(),
  args: z.array(z.string()),
  logFile: z.string(),
});

/**
 * What a running native network left behind for `down` (and for tests that
 * restart a node): the daemons we started and the data directory to remove.
 * Written after every spawn, so an interrupted `up` can still be cleaned up.
 */
export const stateSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['native', 'docker']),
  dataDir: z.string().optional(),
  networkPath: z.string().optional(),
  processes: z.array(processSchema).default([]),
  /** docker: the compose files, project name and folder used, and the bind-mounted data folders to remove. */
  compose: z
    .object({
      files: z.array(z.string()).min(1),
      project: z.string(),
      projectDir: z.string(),
      dataDirs: z.array(z.string()).default([]),
    })
    .optional(),
});
export type NetworkState = z.infer<typeof stateSchema>;

const stateFile = (stateDir: string): string => join(stateDir, 'state.json');

/** `text` as JSON checked against `schema`; anything else throws LabError('invalid_state') naming `file` and what to do. */
export function parseRecord<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  what: string,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalidRecord(file, what, `not JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(json, { error: plainErrorMap });
  if (r.success) return r.data;
  throw invalidRecord(file, what, describeIssues(r.error.issues, { whole: 'the top level' }));
}

function invalidRecord(file: string, what: string, why: string): LabError<'invalid_state'> {
  return new LabError(
    'invalid_state',
    `${file} is not ${what} (${why}): stop any daemons it names by hand or delete it`,
  );
}

export async function readState(stateDir: string): Promise<NetworkState | undefined> {
  const file = stateFile(stateDir);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return parseRecord(stateSchema, text, file, 'a network state');
}

/**
 * Refuses to bring a network up where one is recorded, whatever its kind and
 * whether or not it still runs: writing a new state over it would lose the
 * only record of its daemons or containers. `network:down` clears it.
 */
export async function refuseRecordedNetwork(stateDir: string): Promise<void> {
  const state = await readState(stateDir);
  if (!state) return;
  throw new LabError(
    'network_recorded',
    `a ${state.kind} network is already recorded in ${stateDir}; run \`npm run network:down\` first`,
  );
}

/**
 * After a failed bring-up: runs `undo` (the driver's teardown) and returns
 * what it returned. Its own failure is logged, not thrown (the result is then
 * `undefined`), so the caller rethrows the bring-up's error.
 */
export async function undoFailedUp<T>(
  undo: () => Promise<T>,
  log: Logger,
  stateDir: string,
): Promise<T | undefined> {
  try {
    return await undo();
  } catch (err) {
    log.error(
      { err: String(err), stateDir },
      'teardown after the failed bring-up failed too; run `npm run network:down` once the cause is fixed',
    );
    return undefined;
  }
}

let writes = 0;

export async function writeState(stateDir: string, state: NetworkState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const tmp = `${stateFile(stateDir)}.${process.pid}.${++writes}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
  await rename(tmp, stateFile(stateDir));
}

// Daemons start in parallel; their read-modify-write of state.json must not interleave.
const updates = new Map<string, Promise<void>>();

/** Records one more (or a replaced) daemon in the state file. */
export function recordProcess(stateDir: string, rec: ProcessRecord): Promise<void> {
  const next = (updates.get(stateDir) ?? Promise.resolve()).then(async () => {
    const state = (await readState(stateDir)) ?? {
      version: 1 as const,
      kind: 'native' as const,
      processes: [],
    };
    state.processes = [...state.processes.filter((p) => p.name !== rec.name), rec];
    await writeState(stateDir, state);
  });
  updates.set(
    stateDir,
    next.catch(() => undefined),
  );
  return next;
}

/** Which recorded daemons still run. */
export async function processStatus(stateDir: string): Promise<Array<ProcessRecord & { running: boolean }>> {
  const state = await readState(stateDir);
  return (state?.processes ?? []).map((p) => ({ ...p, running: isOurs(p) }));
}

/**
 * Stops every daemon the state names (lnd before the chain backend: lnd
 * wants its chain to shut down cleanly), removes the data directory and
 * network.json, then the state itself. Safe to run twice.
 */
export async function teardown(
  stateDir: string,
  deps: { clock: Clock; logger?: Logger },
): Promise<{ stopped: string[] }> {
  const log = deps.logger ?? silentLogger;
  const state = await readState(stateDir);
  if (!state) return { stopped: [] };
  const stopped: string[] = [];
  const chainNames = new Set(CHAIN_DAEMONS);
  const waves = [
    state.processes.filter((p) => !chainNames.has(p.name)),
    state.processes.filter((p) => chainNames.has(p.name)),
  ];
  for (const wave of waves) {
    await Promise.all(
      wave.map(async (p) => {
        const how = await stopProcess(p, deps.clock);
        if (how !== 'gone') stopped.push(p.name);
        log.info({ daemon: p.name, pid: p.pid, how }, 'stopped');
      }),
    );
  }
  if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true });
  if (state.networkPath) await rm(state.networkPath, { force: true });
  await rm(stateFile(stateDir), { force: true });
  return { stopped };
}
