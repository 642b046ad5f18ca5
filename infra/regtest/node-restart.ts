import type { Clock } from '../time/clock.js';
import { LndNode } from '../lightning/lnd/index.js';
import { waitFor } from './wait.js';
import { LndAdmin, waitForLnd } from './lnd-admin.js';
import type { NodeDesc } from './network-file.js';
import { isOurs, logTail, spawnDaemon, stopProcess, type ProcessRecord } from './processes.js';
import { readState, recordProcess } from './state.js';

/** Stops one daemon of a running native network (tests: a node going down mid-payment). */
export async function stopNode(stateDir: string, name: string, clock: Clock): Promise<void> {
  const rec = await recordOf(stateDir, name);
  await stopProcess(rec, clock);
}

/**
 * Starts a stopped lnd again with the same arguments and data, and waits
 * until it is ready and every one of its channels is active again (its peers
 * reconnected), so the next payment through it can succeed.
 */
export async function startNode(stateDir: string, node: NodeDesc, clock: Clock): Promise<void> {
  const rec = await recordOf(stateDir, node.name);
  if (isOurs(rec)) return;
  const again = spawnDaemon(rec.name, rec.cmd, rec.args, rec.logFile);
  await recordProcess(stateDir, again);
  await waitForLnd(node, {
    clock,
    timeoutMs: 120_000,
    isRunning: () => isOurs(again),
    describe: () => logTail(again.logFile),
  });
  await waitForChannelsActive(node, clock);
}

/** Waits until every channel of a node that just restarted is active again (its peers reconnected). */
export async function waitForChannelsActive(node: NodeDesc, clock: Clock, timeoutMs = 60_000): Promise<void> {
  const lnd = await LndNode.fromFiles(node, { clock });
  try {
    const admin = new LndAdmin(lnd.rest);
    await waitFor(clock, timeoutMs, `${node.name}'s channels to reactivate`, async () =>
      (await admin.channels()).every((c) => c.active),
    );
  } finally {
    await lnd.close();
  }
}

/** The recorded process of daemon `name` in `stateDir`'s state. */
async function recordOf(stateDir: string, name: string): Promise<ProcessRecord> {
  const rec = (await readState(stateDir))?.processes.find((p) => p.name === name);
  if (!rec) throw new Error(`no daemon named ${name} recorded in ${stateDir}`);
  return rec;
}
