import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { downDocker, dockerRunning, startDockerNode, stopDockerNode } from './docker.js';
import { startNode, stopNode } from './node-restart.js';
import type { NodeDesc } from './network-file.js';
import { processStatus, readState, teardown } from './state.js';

/**
 * What `network:down`, the shared test network and its reaper do to a
 * network whatever brought it up: the state file says native (our
 * processes) or docker (a compose project), and each call goes to that
 * driver.
 */

/** Stops a network started from `stateDir` and removes its data; safe to run twice. */
export async function downNetwork(stateDir: string, deps: { clock: Clock; logger: Logger }): Promise<void> {
  const state = await readState(stateDir);
  if (state?.kind === 'docker') await downDocker(stateDir, deps);
  else await teardown(stateDir, deps);
}

/** True when every daemon or container of the network runs. */
export async function networkRunning(stateDir: string): Promise<boolean> {
  const state = await readState(stateDir);
  if (!state) return false;
  if (state.kind === 'docker') return dockerRunning(stateDir);
  const procs = await processStatus(stateDir);
  return procs.length > 0 && procs.every((p) => p.running);
}

/** Stops one lnd of the network (tests: a node going down mid-payment). */
export async function stopNetworkNode(stateDir: string, name: string, clock: Clock): Promise<void> {
  const state = await readState(stateDir);
  if (state?.kind === 'docker') await stopDockerNode(stateDir, name);
  else await stopNode(stateDir, name, clock);
}

/** Starts it again on the same data; returns once it is ready and its channels are active. */
export async function startNetworkNode(stateDir: string, node: NodeDesc, clock: Clock): Promise<void> {
  const state = await readState(stateDir);
  if (state?.kind === 'docker') await startDockerNode(stateDir, node, clock);
  else await startNode(stateDir, node, clock);
}
