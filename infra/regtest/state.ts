import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { isOurs, stopProcess, type ProcessRecord } from './processes.js';

const processSchema = z.object({
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

export async function readState(stateDir: string): Promise<NetworkState | undefined> {
  const text = await readFile(stateFile(stateDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return stateSchema.parse(JSON.parse(text));
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
  const chainNames = new Set(['btcd', 'bitcoind']);
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
